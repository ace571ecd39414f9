/**
 * Where a read command gets its calls: captures read now (a CallStore in
 * memory) or an indexed store. Both answer the same questions the same way,
 * so a command written against CallSource gives identical output either way.
 */
import { HeaderNameIndex, type Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { compileFilter, EMPTY_FILTER, type Filter } from '../calls/filter.js';
import type { CallStore } from '../calls/store.js';
import type { StoreBackend } from './backend.js';
import { filterToSql } from './filter-sql.js';
import { rowToCall, rowToMessage } from './rows.js';

export interface ListOptions {
  filter?: Filter;
  /** `arrival` (default) or `callid` (Call-ID, then index). */
  order?: 'arrival' | 'callid';
  limit?: number;
  offset?: number;
}

export interface CallSource {
  /** Calls matching the filter, in order, optionally one page of them. */
  list(options?: ListOptions): Promise<Call[]>;
  count(filter?: Filter): Promise<number>;
  /** `IDX` or a Call-ID; an exact Call-ID wins over an index (a Call-ID may be all digits). */
  find(wanted: string): Promise<Call | undefined>;
  /** The call's messages in arrival order, parsed (from a memory source: only calls it was asked to keep). */
  messages(call: Call): Promise<CapturedMessage[]>;
  /** Every call and SIP message in the source, whatever the filter. */
  readonly totalCalls: number;
  readonly totalMessages: number;
  /** Older calls the calls cap (--max-calls) summarised instead of holding; not among `totalCalls`. */
  readonly summarisedCalls: number;
  close(): Promise<void>;
}

export function compareCallId(a: Call, b: Call): number {
  return a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : a.index - b.index;
}

function page<T>(items: T[], options: ListOptions): T[] {
  const start = options.offset ?? 0;
  return options.limit === undefined ? items.slice(start) : items.slice(start, start + options.limit);
}

export function memoryCallSource(store: CallStore): CallSource {
  return {
    async list(options = {}) {
      let calls = store.calls().filter(compileFilter(options.filter ?? EMPTY_FILTER));
      if (options.order === 'callid') calls = [...calls].sort(compareCallId);
      return page(calls, options);
    },
    async count(filter = EMPTY_FILTER) {
      return store.calls().filter(compileFilter(filter)).length;
    },
    async find(wanted) {
      const asIndex = /^\d+$/.test(wanted) ? Number(wanted) : -1;
      return store.find(wanted) ?? (asIndex >= 0 ? store.at(asIndex) : undefined);
    },
    async messages(call) {
      if (call.kept === null) throw new Error(`call ${call.index}: its messages were not kept while reading`);
      return call.kept;
    },
    totalCalls: store.size,
    totalMessages: store.messagesSeen,
    summarisedCalls: store.summarised.calls,
    async close() { /* nothing held */ },
  };
}

export async function storeCallSource(store: StoreBackend): Promise<CallSource> {
  const totals = await store.totals();
  const names = new HeaderNameIndex();
  const source: CallSource = {
    async list(options = {}) {
      const filter = options.filter ?? EMPTY_FILTER;
      const where = filterToSql(filter, store.dialect);
      const order = options.order ?? 'arrival';
      if (where.exact) {
        const rows = await store.listCalls({ where, order, limit: options.limit, offset: options.offset });
        return rows.map((r) => rowToCall(r, names));
      }
      // SQL kept a superset (a CIDR value): the predicate decides, then the page is cut.
      const keep = compileFilter(filter);
      const calls = (await store.listCalls({ where, order })).map((r) => rowToCall(r, names)).filter(keep);
      return page(calls, options);
    },
    async count(filter = EMPTY_FILTER) {
      const where = filterToSql(filter, store.dialect);
      if (where.exact) return store.countCalls(where);
      return (await source.list({ filter })).length;
    },
    async find(wanted) {
      const row = await store.callById(wanted) ?? (/^\d+$/.test(wanted) ? await store.callByIndex(Number(wanted)) : undefined);
      return row === undefined ? undefined : rowToCall(row, names);
    },
    async messages(call) {
      return (await store.messagesOf(call.index)).map((r) => rowToMessage(r));
    },
    totalCalls: totals.calls,
    totalMessages: totals.messages,
    // An index holds every call it was given.
    summarisedCalls: 0,
    close: () => store.close(),
  };
  return source;
}
