/**
 * The probe's wire contract, shared by mirror and client: how a probe request
 * is recognised, and the echo response the mirror answers it with.
 *
 * A probe request carries `X-Sipv-Probe: <token>`. The echo is a `200 OK`
 * that copies Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2) and whose
 * body holds what the mirror saw — `source: IP:PORT`, `transport: udp|tcp`,
 * an empty line, then the exact request bytes — with the top bit of every byte
 * flipped (XOR 0x80). The flip keeps the size 1:1 and leaves no CR/LF, header
 * name or dotted address in the body, so an ALG on the way back (the Linux one
 * scans every line of the packet for Via/Contact) cannot "translate back" the
 * evidence. The response is a pure function of the request bytes and the
 * source seen, so the client rebuilds exactly what the mirror sent and diffs
 * it with what arrived: the ALG's rewriting of responses.
 *
 * Size bound (no amplification): the copied headers are at most COPY_LIMIT
 * bytes and the rest of the head is fixed, so a reply is never more than
 * REPLY_BOUND bytes larger than the request it answers; the mirror checks it.
 */
import { createHash } from 'node:crypto';
import { getHeader } from '../sip/headers.js';
import type { SipMessage, SipRequest } from '../sip/message.js';

export const PROBE_HEADER = 'X-Sipv-Probe';
/** Ask for one more, late response after this many milliseconds (UDP NAT-timeout trials). */
export const DELAY_HEADER = 'X-Sipv-Probe-Delay';
/** Marks the late response; its value is the delay served, in ms. */
export const LATE_HEADER = 'X-Sipv-Probe-Late';
export const ECHO_TYPE = 'application/x-sipv-echo';

/** Largest probe request the mirror reads; larger ones are refused. */
export const MAX_REQUEST = 4096;
/** Total bytes of copied header lines (Via, From, To, Call-ID, CSeq) the mirror accepts. */
export const COPY_LIMIT = 1024;
/** A reply is at most this many bytes larger than its request. */
export const REPLY_BOUND = 1536;
/** Longest delay a late response may be asked for. */
export const MAX_DELAY_MS = 600_000;

const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];

export interface Seen {
  source: string;
  transport: 'udp' | 'tcp';
}

export function flip(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b[i]! ^ 0x80;
  return out;
}

/** The header lines to copy, exactly as received (names and values), in order. */
function copiedLines(req: SipMessage): string[] {
  return req.headers.filter((h) => COPIED.includes(h.name)).map((h) => req.raw.toString('latin1', h.start, h.end).replace(/\r?\n[ \t]+/g, ' '));
}

/** Deterministic To tag (RFC 3261 §8.2.6.2 wants one): the client can rebuild the reply. */
function toTag(req: SipMessage): string {
  return createHash('sha256').update(getHeader(req, 'call-id') ?? '').digest('hex').slice(0, 10);
}

function head(status: string, req: SipMessage, extra: string[]): string[] {
  const lines = [`SIP/2.0 ${status}`];
  for (const l of copiedLines(req)) {
    const isTo = /^(to|t)\s*:/i.test(l);
    lines.push(isTo && !/;\s*tag\s*=/i.test(l) ? `${l};tag=${toTag(req)}` : l);
  }
  return [...lines, 'Server: sipv-mirror', ...extra];
}

/** Bytes of the copied header lines, to check against COPY_LIMIT before answering. */
export function copiedBytes(req: SipMessage): number {
  return copiedLines(req).reduce((n, l) => n + l.length + 2, 0);
}

/** The echo response to `req` as the mirror sends it. */
export function echoResponse(req: SipRequest, seen: Seen): Buffer {
  const body = flip(Buffer.concat([Buffer.from(`source: ${seen.source}\r\ntransport: ${seen.transport}\r\n\r\n`, 'latin1'), req.raw]));
  const lines = head('200 OK', req, [`Content-Type: ${ECHO_TYPE}`, `Content-Length: ${body.length}`]);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** A body-less response: the late NAT-timeout reply, or a refusal (513). */
export function shortResponse(req: SipMessage, status: string, extra: string[] = []): Buffer {
  return Buffer.from([...head(status, req, extra), 'Content-Length: 0'].join('\r\n') + '\r\n\r\n', 'latin1');
}

/** What an echo body says the mirror saw, or undefined when the body is not an echo. */
export function readEcho(msg: SipMessage): (Seen & { raw: Buffer }) | undefined {
  if (!(getHeader(msg, 'content-type') ?? '').toLowerCase().startsWith(ECHO_TYPE)) return undefined;
  const body = flip(msg.body);
  const end = body.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const meta = body.toString('latin1', 0, end);
  const source = /^source: (\S+)$/m.exec(meta)?.[1];
  const transport = /^transport: (udp|tcp)$/m.exec(meta)?.[1] as 'udp' | 'tcp' | undefined;
  if (source === undefined || transport === undefined) return undefined;
  return { source, transport, raw: body.subarray(end + 4) };
}
