/**
 * What every call store (embedded DuckDB, ClickHouse) offers: the indexer
 * writes one run of files through a RunWriter; readers list calls with a
 * filter compiled to the store's SQL and fetch one call's messages.
 */
import type { CallBrief, CallPart, CallRow, MessageBrief, MessageRow } from './rows.js';
import type { SqlDialect, SqlFilter } from './filter-sql.js';

export interface StoreTotals {
  calls: number;
  messages: number;
  /** Where the next indexing run continues the numbering. */
  nextRun: number;
  nextIdx: number;
  nextSeq: number;
}

export interface IndexedFile {
  /** SHA-256 of the file's bytes: the same capture under another name is the same file. */
  hash: string;
  name: string;
  bytes: number;
  run: number;
}

export interface ListQuery {
  where: SqlFilter;
  /** `arrival` (index order) or `callid` (Call-ID, then index). */
  order: 'arrival' | 'callid';
  limit?: number;
  offset?: number;
}

export interface RunWriter {
  /**
   * Synchronous: called for each message while the capture is read; the store
   * batches. `row.raw` may be a view into the reader's buffer: copy it (an
   * appender or an encoder does) before returning, never keep it.
   */
  addMessage(row: MessageRow): void;
  /** Waits until every message handed over so far is written. */
  flush(): Promise<void>;
  addCalls(rows: CallRow[]): Promise<void>;
  addParts(parts: CallPart[]): Promise<void>;
  /** A call that already existed got messages from this run: its summary is replaced. */
  replaceCall(row: CallRow): Promise<void>;
  addFiles(files: IndexedFile[]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** One diagnosis finding as stored: `json` is the Finding exactly as `diagnose --json` would print it. */
export interface FindingRow {
  idx: number;
  /** Position among the call's findings (rule order, then draft order). */
  pos: number;
  code: string;
  severity: string;
  json: string;
}

/** Which run the stored findings were computed after, and for which --region ('' for none). */
export interface FindingsInfo {
  run: number;
  region: string;
}

/**
 * New findings for some calls (or all): added batch by batch, visible to
 * readers only after `commit`, which also records the FindingsInfo.
 */
export interface FindingsWriter {
  add(rows: FindingRow[]): Promise<void>;
  /** Returns how many findings the store holds now. */
  commit(): Promise<number>;
  rollback(): Promise<void>;
}

export interface StoreBackend {
  readonly dialect: SqlDialect;
  totals(): Promise<StoreTotals>;
  hasFile(hash: string): Promise<boolean>;
  /** Store indexes of the Call-IDs that are already stored. */
  existing(callIds: string[]): Promise<Map<string, number>>;
  beginRun(): Promise<RunWriter>;
  /**
   * Holds other indexers off for a whole `sipv index` (numbering, file checks,
   * findings), waiting for its turn while another holds the store; resolves to the
   * release. Absent where the store admits one writer by itself (DuckDB's file lock).
   */
  exclusive?(onWait: (note: string) => void): Promise<() => Promise<void>>;
  listCalls(query: ListQuery): Promise<CallRow[]>;
  countCalls(where: SqlFilter): Promise<number>;
  callByIndex(idx: number): Promise<CallRow | undefined>;
  callById(callId: string): Promise<CallRow | undefined>;
  /** The call's messages from every run, in arrival order. */
  messagesOf(idx: number): Promise<MessageRow[]>;
  /**
   * Messages of many calls in one query (all calls when `idxs` is null), handed
   * over as they stream in, in no particular order: the caller groups by call.
   */
  eachMessage(idxs: readonly number[] | null, fn: (idx: number, row: MessageRow) => void): Promise<void>;
  /** Every call's summary without its filter facts, in index order. */
  eachCallBrief(fn: (call: CallBrief) => void): Promise<void>;
  /**
   * Every stored message without its bytes, in call index then arrival order;
   * `raw` only for requests whose upper-cased method is `rawMethod`.
   */
  eachMessageBrief(rawMethod: string, fn: (message: MessageBrief) => void): Promise<void>;
  /** The last complete run (0 for an empty store). */
  lastRun(): Promise<number>;
  findingsInfo(): Promise<FindingsInfo | undefined>;
  /** Stored findings of the given calls (all when null), by call index then position. */
  findings(idxs: readonly number[] | null): Promise<FindingRow[]>;
  /** Starts replacing the findings of the calls in `replace` (every call: 'all'). */
  beginFindings(info: FindingsInfo, replace: readonly number[] | 'all'): Promise<FindingsWriter>;
  close(): Promise<void>;
}

export class StoreError extends Error {}
