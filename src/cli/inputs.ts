/**
 * Loads the FILE... of a command and tells the user, one line each, what was
 * wrong with an input (`sipv: FILE:WHERE: WHAT`). Damage means exit 2, but
 * only after every good message has been reported (SPEC.md, Exit codes).
 */
import { safeInline } from '../core/sanitize.js';
import type { Issue } from '../core/issue.js';
import { DEFAULT_LIMITS, limitWarning, type LimitHit, type Limits } from '../core/limits.js';
import type { Call } from '../calls/call.js';
import { compileFilter, factsNeeded, isActive, type Filter } from '../calls/filter.js';
import { CallStore, type CallStoreOptions } from '../calls/store.js';
import { loadInputs, type InputReport } from '../ingest/load.js';
import type { KeyLog } from '../tls/keylog.js';
import { CliError, Exit, type Io } from './io.js';
import { callSummaryWarning, defaultLimits } from './limit-options.js';
import { progressBar } from './progress.js';

/** Per input, how many non-fatal issues are printed before a "… and N more" line. */
const SHOWN_ISSUES = 3;

export interface Loaded {
  store: CallStore;
  reports: InputReport[];
  /** Exit.USAGE when an input was unreadable, damaged or not a capture. */
  exitCode: number;
}

export async function loadForCommand(files: string[], io: Io, storeOptions: CallStoreOptions = {}, keylog?: KeyLog, limits: Limits = defaultLimits()): Promise<Loaded> {
  const store = new CallStore({ maxCalls: limits.maxCalls, ...storeOptions });
  const progress = progressBar(io);
  const reports = await loadInputs(files, store, { onProgress: progress?.update, keylog, limits });
  progress?.finish();
  let exitCode: number = Exit.OK;
  for (const report of reports) {
    if (reportInput(report, io, limits)) exitCode = Exit.USAGE;
  }
  const summary = callSummaryWarning(store.summarised, limits);
  if (summary !== undefined) io.err(summary + '\n');
  return { store, reports, exitCode };
}

export interface LoadedCalls {
  /** Every call in the inputs, messages kept. */
  all: Call[];
  /** The calls `filter` keeps. */
  calls: Call[];
  exitCode: number;
}

/**
 * Loads the inputs keeping every message (diagnose, report, export) and applies
 * `filter`; the calls' filter facts are gathered only when the filter needs them.
 */
export async function loadFiltered(files: string[], io: Io, filter: Filter, keylog?: KeyLog, limits?: Limits): Promise<LoadedCalls> {
  const loaded = await loadForCommand(files, io, { keep: () => true, ...factsNeeded(filter) }, keylog, limits);
  const all = loaded.store.calls();
  return { all, calls: isActive(filter) ? all.filter(compileFilter(filter)) : all, exitCode: loaded.exitCode };
}

/**
 * The calls `filter` keeps, with their messages, holding no other call's: a first
 * read finds them by their summaries, a second keeps only their messages (`export
 * --where` of one call from a capture of gigabytes holds that call, not the file).
 * Without a filter, or from stdin (read once), it is `loadFiltered`.
 */
export async function loadSelected(files: string[], io: Io, filter: Filter, keylog?: KeyLog, limits: Limits = defaultLimits()): Promise<{ calls: Call[]; exitCode: number }> {
  if (!isActive(filter) || files.includes('-')) return loadFiltered(files, io, filter, keylog, limits);
  const { wanted, exitCode } = await selectCalls(files, io, filter, keylog, limits);
  // Warnings were printed by the first read; the second only shows its progress.
  const store = new CallStore({ maxCalls: limits.maxCalls, facts: false, keep: (index, callId) => wanted.get(index) === callId });
  const progress = progressBar(io);
  await loadInputs(files, store, { onProgress: progress?.update, keylog, limits });
  progress?.finish();
  const calls = store.calls().filter((c) => wanted.get(c.index) === c.callId);
  if (calls.length !== wanted.size) throw new CliError('the inputs changed between the two reads (a capture still being written?): export again once they are complete');
  return { calls, exitCode };
}

/** Index → Call-ID of the calls `filter` keeps; the summaries are dropped before the second read. */
async function selectCalls(files: string[], io: Io, filter: Filter, keylog: KeyLog | undefined, limits: Limits): Promise<{ wanted: Map<number, string>; exitCode: number }> {
  const listed = await loadForCommand(files, io, factsNeeded(filter), keylog, limits);
  const keep = compileFilter(filter);
  const wanted = new Map<number, string>();
  for (const c of listed.store.calls()) if (keep(c)) wanted.set(c.index, c.callId);
  return { wanted, exitCode: listed.exitCode };
}

function where(i: Issue): string {
  return i.offset === undefined ? '' : `offset ${i.offset}`;
}

/**
 * After a live run (capture, HEP collector) or a shell load: one line per limit
 * reached, as `reportInput` prints them (`sipv: LABEL: warning: …`), then the
 * summarised-calls warning when the calls cap summarised calls during the run
 * (`summarisedBefore`: the store's count when it began).
 */
export function reportRunLimits(label: string, hits: readonly LimitHit[], store: CallStore, io: Io, limits: Limits, summarisedBefore = 0): void {
  for (const hit of hits) io.err(line(label, '', `warning: ${limitWarning(hit, limits)}`));
  if (store.summarised.calls === summarisedBefore) return;
  const summary = callSummaryWarning(store.summarised, limits);
  if (summary !== undefined) io.err(summary + '\n');
}

/** `sipv: FILE:WHERE: WHAT`, or `sipv: FILE: WHAT` when there is no position to name. */
function line(file: string, at: string, what: string): string {
  const text = what.startsWith(`${file} `) ? what.slice(file.length + 1) : what;
  return safeInline(at === '' ? `sipv: ${file}: ${text}` : `sipv: ${file}:${at}: ${text}`) + '\n';
}

/** Prints what went wrong with one input; true when it counts as damage (exit 2). */
export function reportInput(report: InputReport, io: Io, limits: Limits = DEFAULT_LIMITS): boolean {
  if (report.error !== undefined) {
    io.err(line(report.file, '', report.error));
    return true;
  }
  // Limits reached: one line each, whatever else is shown (never a silent drop).
  for (const hit of report.limitHits) io.err(line(report.file, '', `warning: ${limitWarning(hit, limits)}`));
  const damage = report.issues.filter(isDamage);
  const other = report.issues.filter((i) => !isDamage(i));
  for (const i of other.slice(0, SHOWN_ISSUES)) io.err(line(report.file, where(i), `warning: ${i.detail}`));
  if (other.length > SHOWN_ISSUES) io.err(line(report.file, '', `warning: … and ${other.length - SHOWN_ISSUES} more decode warnings`));
  for (const i of damage) io.err(line(report.file, where(i), i.detail));
  if (report.fatal !== undefined && !damage.includes(report.fatal)) io.err(line(report.file, where(report.fatal), report.fatal.detail));
  if (report.fatal === undefined && damage.length === 0 && report.frames === 0 && report.format !== 'unknown') {
    io.err(line(report.file, '', 'no packets in this capture'));
    return true;
  }
  return report.fatal !== undefined || damage.length > 0;
}

/** Damage to the file itself (truncation, corruption), as opposed to odd packets inside it. */
function isDamage(i: Issue): boolean {
  return /^(pcap|pcapng|gzip|text|capture)\.(truncated|corrupt|bad-|not-)/.test(i.code);
}
