/**
 * Small read-only views of a captured message that several rules need: when it
 * was seen, its top Via, its CSeq, which transaction it belongs to and where a
 * packet went. Pure helpers over the parsed model; no rule logic lives here.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeader } from '../sip/headers.js';
import { parseCSeq } from '../sip/cseq.js';
import { parseVia, type Via } from '../sip/via.js';
import type { SipMessage } from '../sip/message.js';
import { sdpOfMessage, type SdpSession } from '../sip/sdp.js';
import { endpoint } from '../net/packet.js';

/** Capture time in seconds since the epoch (float is fine for gaps of seconds). */
export function timeOf(m: CapturedMessage): number {
  return m.sec + m.nsec / 1e9;
}

export function source(m: CapturedMessage): string {
  return endpoint(m.srcIp, m.srcPort);
}

export function destination(m: CapturedMessage): string {
  return endpoint(m.dstIp, m.dstPort);
}

// Every rule asks for the same few parsed values of the same messages; each is
// parsed once per message (the parsed model is read-only to rules).
const topVias = new WeakMap<SipMessage, Via | null>();
const viaCounts = new WeakMap<SipMessage, number>();
const sdps = new WeakMap<SipMessage, SdpSession | null>();

export function topVia(m: CapturedMessage): Via | undefined {
  let via = topVias.get(m.msg);
  if (via === undefined) {
    const first = getHeader(m.msg, 'via');
    via = (first === undefined ? undefined : parseVia(first)[0]) ?? null;
    topVias.set(m.msg, via);
  }
  return via ?? undefined;
}

/** Number of Via entries: more than one on a request means a proxy forwarded it. */
export function viaCount(m: CapturedMessage): number {
  let n = viaCounts.get(m.msg);
  if (n === undefined) {
    n = 0;
    for (const h of m.msg.headers) if (h.name === 'via') n += parseVia(h.value).length;
    viaCounts.set(m.msg, n);
  }
  return n;
}

/** The message's SDP (body or multipart part), parsed once. */
export function sdpOf(msg: SipMessage): SdpSession | undefined {
  let sdp = sdps.get(msg);
  if (sdp === undefined) {
    sdp = sdpOfMessage(msg) ?? null;
    sdps.set(msg, sdp);
  }
  return sdp ?? undefined;
}

export function cseqOf(m: CapturedMessage): { seq: number; method: string } {
  const v = getHeader(m.msg, 'cseq');
  if (v === undefined) return { seq: NaN, method: '' };
  const c = parseCSeq(v);
  return { seq: c.seq, method: c.method.toUpperCase() };
}

export function isRequest(m: CapturedMessage, method?: string): boolean {
  return m.msg.kind === 'request' && (method === undefined || m.msg.method.toUpperCase() === method);
}

export function statusOf(m: CapturedMessage): number | undefined {
  return m.msg.kind === 'response' ? m.msg.status : undefined;
}

/** RFC 3261 §18.2.1 / §19.1.2: the port a Via or URI means when it names none. */
export function defaultPort(transport: string): number {
  const t = transport.toUpperCase();
  return t === 'TLS' || t === 'WSS' ? 5061 : 5060;
}

/**
 * RFC 3261 §17.1.3 / §17.2.3: a response belongs to the request with the same
 * top Via branch and CSeq (number and method); ACK to a non-2xx shares the
 * INVITE's branch but is its own request, so method is part of the key.
 */
export function transactionKey(m: CapturedMessage): string {
  const c = cseqOf(m);
  return `${topVia(m)?.branch ?? ''}|${c.seq}|${c.method}`;
}

/** Label of a message for summaries: `INVITE` or `200`. */
export function label(m: CapturedMessage): string {
  return m.msg.kind === 'request' ? m.msg.method : String(m.msg.status);
}
