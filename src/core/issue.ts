/**
 * Malformed input is a value, not an exception (STYLE.md principle 3).
 * Every decoder returns what it could read plus a list of these, so a damaged
 * capture still yields every good message and the user learns where the damage is.
 */
export interface Issue {
  /** Stable machine code, e.g. `pcap.truncated-record`, `sip.bad-content-length`. */
  code: string;
  /** One human sentence: what was wrong. */
  detail: string;
  /** Byte offset in the unit being decoded (file, packet or message), when known. */
  offset?: number;
}

export function issue(code: string, detail: string, offset?: number): Issue {
  return offset === undefined ? { code, detail } : { code, detail, offset };
}
