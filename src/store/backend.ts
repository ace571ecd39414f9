/**
 * What every call store (embedded DuckDB, ClickHouse) offers: the indexer
 * writes one run of files through a RunWriter; readers list calls with a
 * filter compiled to the store's SQL and fetch one call's messages.
 */
import type { CallPart, CallRow, MessageRow } from './rows.js';
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
  /** Synchronous: called for each message while the capture is read; the store batches. */
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

export interface StoreBackend {
  readonly dialect: SqlDialect;
  totals(): Promise<StoreTotals>;
  hasFile(hash: string): Promise<boolean>;
  /** Store indexes of the Call-IDs that are already stored. */
  existing(callIds: string[]): Promise<Map<string, number>>;
  beginRun(): Promise<RunWriter>;
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
  /** The last complete run (0 for an empty store). */
  lastRun(): Promise<number>;
  findingsInfo(): Promise<FindingsInfo | undefined>;
  /** Stored findings of the given calls (all when null), by call index then position. */
  findings(idxs: readonly number[] | null): Promise<FindingRow[]>;
  /** Replaces every stored finding (the set depends on every call, so it is computed whole). */
  writeFindings(info: FindingsInfo, rows: FindingRow[]): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {}
