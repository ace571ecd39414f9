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
import { KeyLog } from '../../tls/keylog.js';
import type { Limits } from '../../core/limits.js';
import { defaultLimits } from '../limit-options.js';

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

  constructor(limits: Limits = defaultLimits()) {
    this.limits = limits;
    this.store = Session.newStore(limits);
  }

  /** The shell reads every message of every call back on demand, so it keeps them all. */
  static newStore(limits: Limits = defaultLimits()): CallStore {
    return new CallStore({ keep: () => true, maxCalls: limits.maxCalls });
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
    this.store = Session.newStore(this.limits);
    this.sources = [undefined];
    this.cache = undefined;
    // A conversation context would point into the discarded store.
    while (this.context.kind === 'conversation') this.stack.pop();
  }

  /** Registers files about to be loaded; returns the source number of the first. */
  addSources(files: readonly string[]): number {
    const first = this.sources.length;
    this.sources.push(...files);
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

  /** `show conversations`: Call-ID order (byte order, stable on index). */
  byCallId(): Call[] {
    return [...this.visible()].sort((a, b) => (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : a.index - b.index));
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
