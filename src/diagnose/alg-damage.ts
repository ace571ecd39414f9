/**
 * The damage faulty SIP ALGs leave inside a message, found in one place so
 * `alg.malformed` reports it and `sip.malformed` does not report it again.
 *
 * Field signatures: an ALG rewrites an address in place and
 * - loses the `;` after it (`5060branch=…`, `<sip:a@1.2.3.4:5060>expires=60`,
 *   `sip:a@1.2.3.4:5060transport=udp`),
 * - writes a port beyond 16 bits (`:70000`),
 * - changes the SDP length without fixing Content-Length (RFC 3261 §20.14) —
 *   over UDP, where Content-Length does not frame the message, the mismatch is
 *   the ALG's; trailing CR/LF padding is harmless and ignored.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import type { Issue } from '../core/issue.js';
import { getHeaders } from '../sip/headers.js';
import { parseNameAddr } from '../sip/name-addr.js';
import { parseVia } from '../sip/via.js';

export interface Damage {
  header: string;
  value: string;
  problem: string;
}

const ADDRESS_HEADERS = ['contact', 'from', 'to', 'route', 'record-route'];

export function algDamage(m: CapturedMessage): Damage[] {
  const out: Damage[] = [];
  for (const value of getHeaders(m.msg, 'via')) {
    for (const via of parseVia(value)) {
      for (const i of via.issues) {
        if (i.code === 'sip.via-missing-semicolon' || (i.code === 'sip.via-bad-port' && (via.port ?? 0) > 65535)) {
          out.push({ header: 'Via', value: via.raw, problem: i.detail });
        }
      }
    }
  }
  for (const name of ADDRESS_HEADERS) {
    for (const value of getHeaders(m.msg, name)) {
      const addr = parseNameAddr(value);
      if (addr.star) continue;
      const header = name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
      if ((addr.uri.port ?? 0) > 65535) out.push({ header, value, problem: `port ${addr.uri.port} is above 65535` });
      for (const i of addr.issues) {
        if (i.code === 'sip.name-addr-junk' && /^[a-z-]+=/i.test(value.slice((i.offset ?? 0)))) {
          out.push({ header, value, problem: `missing ";" before "${value.slice(i.offset ?? 0, (i.offset ?? 0) + 20)}"` });
        }
        if (i.code === 'sip.uri-bad-port' && /port "\d+[a-z]/i.test(i.detail)) {
          out.push({ header, value, problem: `missing ";" after the port: ${i.detail}` });
        }
      }
    }
  }
  for (const i of m.msg.issues) if (isAlgLengthIssue(m, i)) out.push({ header: 'Content-Length', value: contentLength(m), problem: i.detail });
  return out;
}

/** A Content-Length that disagrees with a UDP datagram's body (not just CR/LF padding). */
export function isAlgLengthIssue(m: CapturedMessage, i: Issue): boolean {
  if (m.transport !== 'udp') return false;
  if (i.code === 'sip.body-truncated') return true;
  return i.code === 'sip.body-extra-bytes' && !isPadding(m, i);
}

/**
 * CR/LF (or NUL) after the Content-Length body of a datagram: RFC 3261 §18.3
 * says to discard extra bytes, and many stacks end datagrams with an extra
 * CRLF — harmless, so no rule reports it.
 */
export function isPadding(m: CapturedMessage, i: Issue): boolean {
  if (i.code !== 'sip.body-extra-bytes') return false;
  const length = Number(contentLength(m));
  const extra = m.msg.raw.subarray(m.msg.bodyOffset + length).toString('latin1');
  return /^[\r\n\0]*$/.test(extra);
}

function contentLength(m: CapturedMessage): string {
  return m.msg.headers.find((h) => h.name === 'content-length')?.value ?? '';
}
