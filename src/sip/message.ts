/**
 * The parsed SIP message model. Raw bytes and header order survive (STYLE.md
 * principle 4): ALG forensics compare messages byte for byte, so the parser
 * never rebuilds text, it only points into `raw`.
 */
import type { Issue } from '../core/issue.js';

export interface SipHeader {
  /** Canonical lower-case long name: compact `i` becomes `call-id`. */
  name: string;
  /** The name exactly as written, e.g. `Call-Id`, `i`. */
  rawName: string;
  /** Value with folding undone and surrounding whitespace trimmed. */
  value: string;
  /** Byte span of the whole header line(s) in `raw`, end exclusive, without the line end. */
  start: number;
  end: number;
}

interface SipMessageBase {
  /** The exact bytes of the message, start line to end of body. */
  raw: Buffer;
  /** `SIP/2.0` normally; kept as written. */
  version: string;
  headers: SipHeader[];
  /** Offset of the body in `raw` (after the empty line); equals raw.length when no body. */
  bodyOffset: number;
  body: Buffer;
  /** What was malformed, with offsets into `raw`. Empty for a clean message. */
  issues: Issue[];
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Well-known methods; any other token is still a valid method (open set). */
export const Method = {
  INVITE: 'INVITE', ACK: 'ACK', BYE: 'BYE', CANCEL: 'CANCEL', REGISTER: 'REGISTER',
  OPTIONS: 'OPTIONS', PRACK: 'PRACK', SUBSCRIBE: 'SUBSCRIBE', NOTIFY: 'NOTIFY',
  PUBLISH: 'PUBLISH', INFO: 'INFO', REFER: 'REFER', MESSAGE: 'MESSAGE', UPDATE: 'UPDATE',
} as const;
