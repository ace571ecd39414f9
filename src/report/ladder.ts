/**
 * The ladder (sequence) diagram model of one call, as sngrep's call flow and
 * Wireshark's VoIP flow draw it: one column per endpoint (`ip:port`), one arrow
 * per captured message. The terminal and SVG renderers both draw this model and
 * `--json` serialises it, so they never disagree (STYLE.md principle 9).
 *
 * Repeats are classified with the call store's transaction key and duplicate
 * window, so a ladder's marks always add up to the call's counters.
 */
import { secondsBetween, toIso } from '../core/time.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { DUPLICATE_WINDOW_NS, transactionKey } from '../calls/store.js';
import { endpoint } from '../net/packet.js';
import { getHeader } from '../sip/headers.js';
import { sdpOfMessage } from '../sip/sdp.js';

export interface LadderEndpoint {
  /** `ip:port` (IPv6 in brackets). */
  address: string;
  /** Product name from the first User-Agent or Server header it sent, if any. */
  name: string | null;
}

export type Repeat = 'retransmission' | 'duplicate';
export type SdpRole = 'offer' | 'answer';

export interface LadderArrow {
  /** Message index within the call (the `[N]` of `show conversation`). */
  index: number;
  /** Column indexes into `endpoints`; equal when a host sent to itself. */
  from: number;
  to: number;
  /** `INVITE` or `180 Ringing`. */
  label: string;
  kind: 'request' | 'response';
  /** Status code of a response; null for requests. */
  status: number | null;
  /** Seconds since the call's first message. */
  at: number;
  time: string;
  transport: string;
  repeat: Repeat | null;
  sdp: SdpRole | null;
}

export interface Ladder {
  callId: string;
  start: string;
  endpoints: LadderEndpoint[];
  arrows: LadderArrow[];
}

export function buildLadder(callId: string, messages: readonly CapturedMessage[]): Ladder {
  const columns = new Map<string, number>();
  const endpoints: LadderEndpoint[] = [];
  const column = (address: string): number => {
    let at = columns.get(address);
    if (at === undefined) {
      at = endpoints.length;
      columns.set(address, at);
      endpoints.push({ address, name: null });
    }
    return at;
  };
  const repeats = classifyRepeats(messages);
  const sdp = sdpRoles(messages, repeats);
  const first = messages[0];
  const arrows = messages.map((m, index): LadderArrow => {
    const from = column(endpoint(m.srcIp, m.srcPort));
    const to = column(endpoint(m.dstIp, m.dstPort));
    const sender = endpoints[from]!;
    sender.name ??= productName(m);
    const msg = m.msg;
    return {
      index, from, to,
      label: msg.kind === 'request' ? msg.method : `${msg.status} ${msg.reason}`.trimEnd(),
      kind: msg.kind,
      status: msg.kind === 'response' ? msg.status : null,
      at: first === undefined ? 0 : secondsBetween(first, m),
      time: toIso(m),
      transport: m.transport,
      repeat: repeats[index]!,
      sdp: sdp[index]!,
    };
  });
  return { callId, start: first === undefined ? '' : toIso(first), endpoints, arrows };
}

/** The product of a User-Agent / Server value, e.g. `Asterisk PBX 16.2` → `Asterisk`. */
function productName(m: CapturedMessage): string | null {
  const value = getHeader(m.msg, m.msg.kind === 'request' ? 'user-agent' : 'server') ?? getHeader(m.msg, 'user-agent') ?? getHeader(m.msg, 'server');
  if (value === undefined || value.trim() === '') return null;
  // RFC 3261 §20.41: product tokens, `name/version`, separated by spaces; the first names the software.
  return value.trim().split(/\s+/)[0]!;
}

/**
 * Same rule as the call store: a message whose transaction key was seen before
 * is a duplicate capture within DUPLICATE_WINDOW_NS of the last sighting, else
 * a retransmission.
 */
export function classifyRepeats(messages: readonly CapturedMessage[]): (Repeat | null)[] {
  const last = new Map<number, number>();
  return messages.map((m) => {
    const key = transactionKey(m);
    const at = m.sec + m.nsec / 1e9;
    const before = last.get(key);
    last.set(key, at);
    if (before === undefined) return null;
    return Math.abs(at - before) * 1e9 <= DUPLICATE_WINDOW_NS ? 'duplicate' : 'retransmission';
  });
}

/**
 * RFC 3264 offer/answer over RFC 3261 §13.2.1 / RFC 6337 §2, per hop (pair of
 * endpoints): a proxy or B2BUA in the call runs one exchange on each side.
 * The first SDP while none is outstanding is an offer, the next one answers it.
 * A reliable 18x and the 200 of the same INVITE carry the same answer again, so
 * further SDP in a response of the answered transaction stays an answer.
 * Repeats inherit the role of what they repeat and do not move the state.
 */
function sdpRoles(messages: readonly CapturedMessage[], repeats: readonly (Repeat | null)[]): (SdpRole | null)[] {
  const hops = new Map<string, { offer: string | null; answered: string | null }>();
  const roleByKey = new Map<number, SdpRole>();
  return messages.map((m, i) => {
    if (m.msg.body.length === 0 || sdpOfMessage(m.msg) === undefined) return null;
    const key = transactionKey(m);
    if (repeats[i] !== null) return roleByKey.get(key) ?? null;
    const a = endpoint(m.srcIp, m.srcPort);
    const b = endpoint(m.dstIp, m.dstPort);
    const hopKey = a < b ? `${a} ${b}` : `${b} ${a}`;
    let hop = hops.get(hopKey);
    if (hop === undefined) hops.set(hopKey, (hop = { offer: null, answered: null }));
    const cseq = cseqNumber(getHeader(m.msg, 'cseq'));
    let role: SdpRole;
    if (hop.offer !== null) {
      role = 'answer';
      hop.answered = hop.offer;
      hop.offer = null;
    } else if (m.msg.kind === 'response' && cseq !== null && cseq === hop.answered) {
      role = 'answer';
    } else {
      role = 'offer';
      hop.offer = cseq ?? '';
      hop.answered = null;
    }
    roleByKey.set(key, role);
    return role;
  });
}

/** `102 INVITE` → `102`; ACK and CANCEL share the INVITE's number, which is what we want. */
function cseqNumber(cseq: string | undefined): string | null {
  const n = cseq?.trim().split(/\s+/)[0];
  return n === undefined || n === '' ? null : n;
}
