/**
 * Splitting `multipart/*` SIP bodies (RFC 2046 §5.1.1, RFC 5621 for SIP).
 *
 * SIP-I/SIP-T gateways send `multipart/mixed` with an SDP part beside an ISUP
 * part (RFC 3204); we only need to find the parts and their Content-Type.
 * The delimiter is CRLF "--" boundary; the line break before it belongs to
 * the delimiter, not to the part. Bare LF line ends are tolerated. Part bodies
 * are views into the given buffer, not copies.
 */
import { issue, type Issue } from '../core/issue.js';

export interface MimePart {
  /** Part headers in order, names as written. */
  headers: Array<[string, string]>;
  /** Lower-case media type without parameters, '' when absent (RFC 2046 default text/plain). */
  contentType: string;
  body: Buffer;
  /** Offset of the part body in the multipart body. */
  offset: number;
}

/** The `boundary` parameter of a Content-Type value, unquoted; undefined when absent. */
export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Media type (`type/subtype`, lower-case) of a Content-Type value. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export function splitMultipart(body: Buffer, boundary: string): { parts: MimePart[]; issues: Issue[] } {
  const parts: MimePart[] = [];
  const issues: Issue[] = [];
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  let pos = body.indexOf(delim);
  if (pos < 0) {
    issues.push(issue('sip.multipart-no-boundary', `boundary "${boundary}" not found in the body`, 0));
    return { parts, issues };
  }
  for (;;) {
    const after = pos + delim.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return { parts, issues }; // close-delimiter
    const lf = body.indexOf(0x0a, after);
    if (lf < 0) break;
    const start = lf + 1;
    let next = body.indexOf(delim, start);
    let end = next;
    if (next < 0) {
      issues.push(issue('sip.multipart-unterminated', 'multipart body has no closing boundary', body.length));
      end = body.length;
    } else {
      if (body[end - 1] === 0x0a) end--;
      if (body[end - 1] === 0x0d) end--;
    }
    parts.push(parsePart(body, start, Math.max(start, end)));
    if (next < 0) return { parts, issues };
    pos = next;
  }
  issues.push(issue('sip.multipart-unterminated', 'multipart body ends inside a delimiter line', body.length));
  return { parts, issues };
}

function parsePart(body: Buffer, start: number, end: number): MimePart {
  const headers: Array<[string, string]> = [];
  let contentType = '';
  let p = start;
  while (p < end) {
    let nl = body.indexOf(0x0a, p);
    if (nl < 0 || nl >= end) nl = end;
    const line = body.toString('utf8', p, nl).replace(/\r$/, '');
    p = nl + 1;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    headers.push([name, value]);
    if (name.toLowerCase() === 'content-type') contentType = mediaType(value);
  }
  // A part with no blank line after its headers has no body.
  const bodyStart = Math.min(p, end);
  return { headers, contentType, body: body.subarray(bodyStart, end), offset: bodyStart };
}
