/**
 * The shell's state and nothing else: the loaded calls, the filter, and where
 * the user is (general, filter or one conversation). No readline, no output —
 * commands change a Session, the REPL asks it for the prompt, completion asks
 * it for Call-IDs. Kept pure so every rule here is a plain unit test.
 */
import { compareTime } from '../../core/time.js';
import type { Call } from '../../calls/call.js';
import type { CapturedMessage } from '../../calls/captured-message.js';
import { compileFilter, isActive, type Condition, type Filter, type FilterClause } from '../../calls/filter.js';
import { CallStore } from '../../calls/store.js';
import { statSync } from 'node:fs';
import { loadInputs, type LoadOptions } from '../../ingest/load.js';
import { KeyLog } from '../../tls/keylog.js';
import { formatBytes, type Limits } from '../../core/limits.js';
import { defaultLimits } from '../limit-options.js';

/** Messages a view needs cannot be read again: their file is gone or changed. */
export class MessagesUnavailable extends Error {}

interface FileStamp { size: number; mtimeMs: number }

function stampOf(file: string): FileStamp | undefined {
  try {
    const st = statSync(file);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** Why `file` is no longer what was loaded (undefined: unchanged, or it was never readable). */
function changedSince(loaded: FileStamp | undefined, file: string): string | undefined {
  if (loaded === undefined) return undefined;
  const now = stampOf(file);
  if (now === undefined) return 'is gone';
  if (now.size !== loaded.size || now.mtimeMs !== loaded.mtimeMs) return 'has changed';
  return undefined;
}

/** Message bytes a shell session keeps in memory (see Session's constructor). */
export const DEFAULT_KEPT_BYTES = 64 * 1024 * 1024;

export type Context = { kind: 'general' } | { kind: 'filter' } | { kind: 'conversation'; call: Call };

export class Session {
  /**
   * The hostile-input limits every `load`, `capture start` and `hep start` uses;
   * the calls cap bounds the store (older calls are summarised, not held).
   */
  readonly limits: Limits;
  store: CallStore;
  filter: Filter = { clauses: [], condition: 'or' };
  /** Every `--keylog` given to `load` or `capture start` so far: later loads and captures use them too. */
  readonly keylog = new KeyLog();
  /**
   * The loaded files by `source` number, for export to pcap/pcapng (which reads
   * them again). Source 0 stays empty: live captures and HEP collectors feed
   * messages as source 0, and they have no file to read again.
   */
  sources: (string | undefined)[] = [undefined];
  /** Innermost last; the general context is always at the bottom. */
  private readonly stack: Context[] = [{ kind: 'general' }];
  /** Filtered calls, recomputed only when the store or filter changed. */
  private cache: { size: number; messages: number; filter: Filter; calls: Call[] } | undefined;

  /**
   * @param keptBytes message bytes held in memory for `show conversation`, `diagnose`
   * and `export`: calls first seen after that many keep none, and their messages are
   * read again from the loaded files when asked for (`ensureMessages`). A 1 GB
   * capture would otherwise need several GB of parsed messages.
   */
  constructor(limits: Limits = defaultLimits(), readonly keptBytes = DEFAULT_KEPT_BYTES) {
    this.limits = limits;
    this.store = this.newStore();
  }

  private newStore(): CallStore {
    const store: CallStore = new CallStore({ keep: () => store.keptBytes < this.keptBytes, maxCalls: this.limits.maxCalls });
    return store;
  }

  /**
   * Gives every call in `calls` its messages: those over the kept-bytes budget are
   * read again from the loaded files (one pass for all of them) and then kept.
   * A call seen only by a live capture or HEP collector has no file: it stays without.
   */
  async ensureMessages(calls: readonly Call[], onProgress?: LoadOptions['onProgress']): Promise<void> {
    const missing = calls.filter((c) => c.kept === null);
    if (missing.length === 0) return;
    const wanted = new Set(missing.map((c) => c.callId));
    // Only the messages are wanted from this read: the calls' facts are the session store's.
    const again = new CallStore({ facts: false, keep: (_index, callId) => wanted.has(callId) });
    const files = this.sources.slice(1).filter((f): f is string => f !== undefined);
    const unheld = `the messages of ${missing.length === 1 ? `conversation ${missing[0]!.index} are` : `${missing.length} conversations are`} not held in memory (the shell keeps ${formatBytes(this.keptBytes)} of messages) and`;
    for (const file of files) {
      const why = changedSince(this.loadedAs.get(file), file);
      if (why !== undefined) throw new MessagesUnavailable(`${unheld} ${file} ${why} since it was loaded: load it again`);
    }
    // Same source numbers as the first load (its files in the same order), for export to pcap.
    const reports = await loadInputs(files, again, { firstSource: 1, keylog: this.keylog, limits: this.limits, ...(onProgress === undefined ? {} : { onProgress }) });
    const failed = reports.find((r) => r.error !== undefined && this.loadedAs.get(r.file) !== undefined);
    if (failed !== undefined) throw new MessagesUnavailable(`${unheld} ${failed.file} cannot be read again: ${failed.error}`);
    for (const c of missing) {
      const found = again.find(c.callId);
      c.kept = found === undefined ? [] : (found.kept ?? []);
    }
  }

  get context(): Context {
    return this.stack[this.stack.length - 1]!;
  }

  enter(context: Context): void {
    this.stack.push(context);
  }

  /** Leaves the innermost context; false when already at the top (the shell should end). */
  leave(): boolean {
    if (this.stack.length === 1) return false;
    this.stack.pop();
    return true;
  }

  /** `SipInv: `, `SipInv*: `, `SipInv[filter]: `, `SipInv[conv 3]*: ` — `*` while a filter is active. */
  prompt(): string {
    const star = isActive(this.filter) ? '*' : '';
    const c = this.context;
    const where = c.kind === 'general' ? '' : c.kind === 'filter' ? '[filter]' : `[conv ${c.call.index}]`;
    return `SipInv${where}${star}: `;
  }

  clear(): void {
    this.store = this.newStore();
    this.sources = [undefined];
    this.loadedAs.clear();
    this.cache = undefined;
    // A conversation context would point into the discarded store.
    while (this.context.kind === 'conversation') this.stack.pop();
  }

  /** Size and modification time of each loaded file that could be read, to tell when it changed since. */
  private readonly loadedAs = new Map<string, FileStamp>();

  /** Registers files about to be loaded; returns the source number of the first. */
  addSources(files: readonly string[]): number {
    const first = this.sources.length;
    this.sources.push(...files);
    for (const f of files) {
      const stamp = stampOf(f);
      if (stamp !== undefined) this.loadedAs.set(f, stamp);
    }
    return first;
  }

  /** Calls passing the filter, in arrival (index) order. A filter matching nothing yields none. */
  visible(): Call[] {
    const c = this.cache;
    if (c && c.size === this.store.size && c.messages === this.store.messagesSeen && c.filter === this.filter) return c.calls;
    const calls = this.store.calls().filter(compileFilter(this.filter));
    this.cache = { size: this.store.size, messages: this.store.messagesSeen, filter: this.filter, calls };
    return calls;
  }

  /** Every held call in Call-ID order, for the store at this size (new calls invalidate it, new messages do not). */
  private sortedAll: { store: CallStore; size: number; calls: Call[] } | undefined;

  /**
   * `show conversations`: Call-ID order (byte order, stable on index). Sorting
   * 270 000 Call-IDs takes half a second, so the order of all calls is kept
   * and a filter only picks from it; `load` prepares it (`prepareViews`).
   */
  byCallId(): Call[] {
    const visible = this.visible();
    let all = this.sortedAll;
    if (all === undefined || all.store !== this.store || all.size !== this.store.size) {
      const calls = this.store.calls().sort((a, b) => (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : a.index - b.index));
      all = this.sortedAll = { store: this.store, size: this.store.size, calls };
    }
    if (visible.length === all.calls.length) return all.calls.slice();
    const shown = new Set<Call>(visible);
    return all.calls.filter((c) => shown.has(c));
  }

  /** Computes what `show conversations` needs after a load, so the first screen comes at once. */
  prepareViews(): void {
    this.byCallId();
  }

  /**
   * `show conversations sorted`: order of arrival on the wire — absolute start
   * time, so calls across midnight and across several loaded files sort right.
   */
  byArrival(): Call[] {
    return [...this.visible()].sort((a, b) => compareTime(a.start, b.start) || a.index - b.index);
  }

  /**
   * A call by arrival index or Call-ID; an exact Call-ID wins, since Call-IDs
   * may be all digits. Any loaded call can be opened, filtered out or not.
   */
  findCall(wanted: string): Call | undefined {
    const byId = this.store.find(wanted);
    if (byId !== undefined) return byId;
    if (!/^\d+$/.test(wanted)) return undefined;
    return this.store.calls()[Number(wanted)];
  }

  setFilter(clauses: FilterClause[], condition: Condition = this.filter.condition): void {
    // A new object, so the visible-calls cache notices.
    this.filter = { clauses, condition };
  }
}

/** A call's messages in capture-time order (inputs may be loaded out of order); ties keep arrival order. */
export function messagesOf(call: Call): CapturedMessage[] {
  return [...(call.kept ?? [])].sort((a, b) => compareTime(a, b) || a.seq - b.seq);
}
