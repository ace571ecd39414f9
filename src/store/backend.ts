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
  close(): Promise<void>;
}

export class StoreError extends Error {}
