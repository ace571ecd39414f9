/**
 * The result of comparing two captures of the same traffic taken on the two
 * sides of a device (a router with or without a SIP ALG). The JSON form is
 * SPEC.md's `compare --json`; fields may only be added, never change meaning.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import type { Finding } from '../diagnose/finding.js';

/** `nat`: IP/UDP-layer address translation only; `alg`: anything inside SIP or its body. */
export type ChangeKind = 'nat' | 'alg';

export interface Change {
  /** `packet.src`, `packet.dst`, `request-uri`, `status`, a header name (`Via`, `Contact[2]`), `header-order`, `sdp.c`, `body`. */
  where: string;
  /** The value on each side; `""` when absent on that side. */
  before: string;
  after: string;
  kind: ChangeKind;
  /**
   * What happened to the item: `changed` (default when absent), `added`, `removed`, `reordered`,
   * or `cosmetic`: the same header and value, spelt differently (name case or compact form,
   * whitespace, one line vs comma-joined). Still `kind: alg` — only an ALG re-writes a header
   * line — but harmless to SIP; `before`/`after` then hold the header lines as written.
   */
  what?: 'changed' | 'added' | 'removed' | 'reordered' | 'cosmetic';
  /** For `cosmetic`: what differs, e.g. "header name Via → VIA", "whitespace". */
  note?: string;
}

/**
 * How a pair was found: `ids` when Call-ID, CSeq, method/status and top Via
 * branch agree; `content` when the ALG rewrote identifiers and the pair was
 * found by CSeq + method/status + From tag or content similarity and timing.
 */
export type PairMatch = 'ids' | 'content';

export interface MessagePair {
  callId: string;
  /** Indexes into each capture's SIP messages (arrival order, 0-based). */
  before: number;
  after: number;
  match: PairMatch;
  /** "REGISTER", "200 OK (REGISTER)": how an engineer names the message. */
  label: string;
  changes: Change[];
}

export type Verdict = 'alg' | 'nat-only' | 'identical' | 'unrelated';

export interface CompareResult {
  verdict: Verdict;
  pairs: MessagePair[];
  onlyBefore: number[];
  onlyAfter: number[];
  findings: Finding[];
  /** AFTER clock minus BEFORE clock, estimated from the pairs (ns); 0 when unknown. */
  clockOffsetNs: number;
}

/** One capture's SIP messages in arrival order; the index is the position. */
export type Side = readonly CapturedMessage[];
