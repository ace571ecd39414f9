/**
 * CSeq header values (RFC 3261 §20.16): `1*DIGIT LWS Method`.
 *
 * The sequence number must fit in 32 bits and be below 2**31 (§8.1.1.5); the
 * method must match the request's method, and a CANCEL/ACK reuse the INVITE's
 * number (§9.1, §17.1.1.3). Transaction matching keys on (number, method), so
 * a damaged CSeq is reported but still returns whatever was readable.
 */
import { issue, type Issue } from '../core/issue.js';

export interface CSeq {
  /** Sequence number; NaN when it could not be read. */
  seq: number;
  /** Method as written (case-sensitive, open set); '' when missing. */
  method: string;
  issues: Issue[];
}

/** Parse a CSeq value such as `102 INVITE`. */
export function parseCSeq(value: string): CSeq {
  const s = value.trim();
  const issues: Issue[] = [];
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  let seq = NaN;
  if (i === 0) {
    issues.push(issue('sip.bad-cseq', `CSeq "${s}" does not start with a number`, 0));
  } else {
    seq = Number(s.slice(0, i));
    if (i > 10 || seq >= 2 ** 31) issues.push(issue('sip.bad-cseq', `CSeq number ${s.slice(0, i)} is not below 2**31`, 0));
  }
  const rest = s.slice(i);
  const method = rest.trim();
  if (method === '') issues.push(issue('sip.bad-cseq', `CSeq "${s}" has no method`, i));
  else if (i > 0 && !/^[ \t]/.test(rest)) issues.push(issue('sip.bad-cseq', `CSeq "${s}" lacks a space before the method`, i));
  else if (/[ \t]/.test(method)) issues.push(issue('sip.bad-cseq', `CSeq method "${method}" contains whitespace`, i));
  return { seq, method, issues };
}
