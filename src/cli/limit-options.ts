/**
 * `--max-message-bytes`, `--max-headers`, `--max-tcp-buffer`, `--max-calls`…:
 * the hostile-input limits of `core/limits.ts` as options of every command that
 * reads captures, and the warnings printed when one was reached. The calls cap
 * defaults to what the heap can hold (about 3 KiB a call), at most 2,000,000.
 */
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import type { CallSummary } from '../calls/store.js';
import type { CallStore } from '../calls/store.js';
import { DEFAULT_LIMITS, LIMIT_SPECS, LimitSyntaxError, formatLimit, parseLimit, type LimitKey, type Limits } from '../core/limits.js';
import { safeInline } from '../core/sanitize.js';
import { CliError } from './io.js';

export type LimitFlags = Partial<Record<keyof Limits, string>>;

const BYTES_PER_CALL = 3072;

/** The default calls cap: what fits in the V8 heap, between 10,000 and 2,000,000. */
export function defaultMaxCalls(heapLimit = getHeapStatistics().heap_size_limit): number {
  return Math.min(DEFAULT_LIMITS.maxCalls, Math.max(10_000, Math.floor(heapLimit / BYTES_PER_CALL)));
}

export function defaultLimits(): Limits {
  return { ...DEFAULT_LIMITS, maxCalls: defaultMaxCalls() };
}

/** The limit flags on `cmd`: all of them, or only `keys` (a HEP collector reassembles nothing). */
export function addLimitOptions(cmd: Command, keys?: readonly LimitKey[]): Command {
  const defaults = defaultLimits();
  for (const spec of LIMIT_SPECS) {
    if (keys !== undefined && !keys.includes(spec.key)) continue;
    cmd.option(`${spec.flag} <${spec.unit === 'bytes' ? 'size' : 'n'}>`, `limit: ${spec.help} (default ${formatLimit(spec.key, defaults[spec.key])})`);
  }
  return cmd;
}

export function limitsFromFlags(flags: LimitFlags): Limits {
  const limits = defaultLimits();
  for (const spec of LIMIT_SPECS) {
    const text = flags[spec.key];
    if (text === undefined) continue;
    try {
      limits[spec.key] = parseLimit(spec, text);
    } catch (e) {
      if (e instanceof LimitSyntaxError) throw new CliError(e.message);
      throw e;
    }
  }
  return limits;
}

/**
 * `sipv: warning: 1,200 older calls summarised (3,400 messages) beyond 1,000 held:
 * INVITE 1,000, REGISTER 200; final 200 900, 486 100, (none) 200 — raise --max-calls`
 */
export function callSummaryWarning(s: CallSummary, limits: Limits): string | undefined {
  if (s.calls === 0) return undefined;
  const n = (x: number): string => x.toLocaleString('en-US');
  const list = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  return safeInline(`sipv: warning: ${n(s.calls)} older call${s.calls === 1 ? '' : 's'} summarised (${n(s.messages)} messages) beyond ${formatLimit('maxCalls', limits.maxCalls)} held: ` +
    `first method ${list(s.byFirstMethod)}; final status ${list(s.byFinalStatus)} — raise --max-calls`);
}

/** `sipv: warning: more than 1,000 calls: older calls are now summarised, not held in full — raise --max-calls` */
export function callsCapReachedWarning(limits: Limits): string {
  return `sipv: warning: more than ${formatLimit('maxCalls', limits.maxCalls)} calls: older calls are now summarised, not held in full — raise --max-calls`;
}

/**
 * For live runs (capture, HEP): a check to call after each message added to
 * `store`, which says `callsCapReachedWarning` once — the first time the calls
 * cap summarises a call during this run.
 */
export function watchCallsCap(store: CallStore, limits: Limits, say: (line: string) => void): () => void {
  const before = store.summarised.calls;
  let said = false;
  return () => {
    if (said || store.summarised.calls === before) return;
    said = true;
    say(callsCapReachedWarning(limits));
  };
}
