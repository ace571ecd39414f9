/**
 * `sipv index`: reads captures through the same path as every command
 * (loadInputs into a CallStore) while each message is also written to the
 * store, then writes the calls. A file already in the store (same SHA-256)
 * is skipped, so indexing again changes nothing.
 *
 * Numbering follows reading the files in the order they were indexed, as
 * `sipv calls A B` reads A then B: a new Call-ID gets the next index; a
 * Call-ID the store already has keeps its index and its summary is computed
 * again over all its stored messages, replayed in arrival order through a
 * fresh CallStore — so the store answers as re-reading every indexed file would.
 *
 * Memory is bounded by calls, not bytes: the CallStore keeps summaries only,
 * and messages go to the store as they are read.
 *
 * Findings are then computed for the calls this run touched (new, and older
 * ones that got messages), with every call of the store as context, and
 * stored beside the earlier runs' findings, which stay as they were computed
 * — a call is judged once it is indexed, against everything indexed by then
 * (findings.ts holds one batch of calls' messages at a time). When the stored
 * findings were not current (none yet, `--no-findings` runs, another
 * --region), every call is judged again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { CallStore } from '../calls/store.js';
import { loadInputs, type InputReport, type LoadOptions } from '../ingest/load.js';
import { getHeader } from '../sip/headers.js';
import { isCleanScan } from '../sip/scan.js';
import { utf8 } from '../sip/text.js';
import type { IndexedFile, RunWriter, StoreBackend, StoreTotals } from './backend.js';
import { collectRtp } from '../media/collect.js';
import { MediaIndex } from '../media/index.js';
import { diagnoseStore, loadContext } from './findings.js';
import { callToRow, messageToRow, rowToMessage, type CallPart, type CallRow } from './rows.js';

export interface IndexOptions extends LoadOptions {
  /** Compute and store findings after the run (default true). */
  findings?: boolean;
  /** --region the stored findings are computed for. */
  region?: string;
  /** Display names of the files (`-` spooled to a temporary file is stored as `-`). */
  names?: string[];
  /** Told once when another indexer holds the store and this one waits its turn. */
  onWait?: (note: string) => void;
}

export interface IndexResult {
  reports: InputReport[];
  /** Files left alone because the store already has their content. */
  skipped: { file: string; hash: string }[];
  indexed: IndexedFile[];
  newCalls: number;
  mergedCalls: number;
  messages: number;
  /** Findings stored after the run, or undefined when not computed. */
  findings?: number;
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A CallStore that also hands every message, with its call's run index, to the writer. */
class RecordingStore extends CallStore {
  constructor(private readonly record: (m: CapturedMessage, runCall: number) => void) {
    super();
  }

  override add(m: CapturedMessage): void {
    const before = this.size;
    super.add(m);
    this.record(m, this.size > before ? before : this.find(callIdOf(m))!.index);
  }
}

/** The Call-ID as CallStore keys it (from the scan's span when the message was only scanned). */
function callIdOf(m: CapturedMessage): string {
  const msg = m.msg;
  if (isCleanScan(msg)) return msg.callIdS < 0 ? '' : utf8(msg.raw, msg.callIdS, msg.callIdE);
  return getHeader(msg, 'call-id') ?? '';
}

export async function indexFiles(files: string[], store: StoreBackend, options: IndexOptions = {}): Promise<IndexResult> {
  // Several capture boxes may index into one ClickHouse: each waits its turn, then numbers from what the others wrote.
  const release = await store.exclusive?.(options.onWait ?? (() => undefined));
  try {
    return await indexHeld(files, store, options);
  } finally {
    await release?.();
  }
}

async function indexHeld(files: string[], store: StoreBackend, options: IndexOptions): Promise<IndexResult> {
  const skipped: IndexResult['skipped'] = [];
  const todo: { file: string; hash: string; name: string }[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const name = options.names?.[i] ?? file;
    // Unreadable (missing, a directory, no permission): no hash, so never skipped and never
    // recorded as indexed; loading it below reports why in the usual `sipv: FILE: …` line.
    const hash = await hashFile(file).catch(() => '');
    if (hash !== '' && (todo.some((t) => t.hash === hash) || await store.hasFile(hash))) skipped.push({ file: name, hash });
    else todo.push({ file, hash, name });
  }
  const result: IndexResult = { reports: [], skipped, indexed: [], newCalls: 0, mergedCalls: 0, messages: 0 };
  if (todo.length === 0) {
    if (options.findings !== false && !await findingsCurrent(store, options.region)) result.findings = await storeFindings(store, options.region, null);
    return result;
  }

  // Judging only this run's calls keeps the others' findings, which must be current.
  const incremental = options.findings !== false && await findingsCurrent(store, options.region);
  const totals = await store.totals();
  const run = totals.nextRun;
  const writer = await store.beginRun();
  let touched: number[];
  try {
    touched = await readRun(todo, run, totals, store, writer, result, options);
    for (let i = 0; i < todo.length; i++) {
      const report = result.reports[i]!;
      if (report.error !== undefined) continue; // never read: indexing it later must not be skipped
      result.indexed.push({ hash: todo[i]!.hash, name: todo[i]!.name, bytes: (await stat(todo[i]!.file)).size, run });
    }
    await writer.addFiles(result.indexed);
    await writer.commit();
  } catch (e) {
    await writer.rollback().catch(() => undefined);
    throw e;
  }
  if (options.findings !== false) {
    const read = todo.filter((_, i) => result.reports[i]?.error === undefined).map((t) => t.file);
    // RTP is not stored: it is read from the captures at hand, as diagnose FILE... reads it — unless they held no UDP but SIP.
    const rtp = result.reports.some((r) => r.stats.nonSipDatagrams > 0);
    const media = rtp ? await collectRtp(read, undefined) : new MediaIndex([], []);
    result.findings = await storeFindings(store, options.region, incremental ? touched : null, media);
  }
  return result;
}

/** Reads the run's captures into the store; returns the store indexes of the calls it touched. */
async function readRun(todo: { file: string; name: string }[], run: number, totals: StoreTotals, store: StoreBackend, writer: RunWriter, result: IndexResult, options: IndexOptions): Promise<number[]> {
  const recording = new RecordingStore((m, runCall) => writer.addMessage(messageToRow(m, run, runCall, totals.nextSeq + m.seq)));
  result.reports = await loadInputs(todo.map((t) => t.file), recording, options);
  result.reports.forEach((r, i) => { r.file = todo[i]!.name; });
  await writer.flush();
  result.messages = recording.messagesSeen;
  return writeCalls(recording.calls(), run, totals.nextIdx, store, writer, result);
}

/** True when the stored findings were computed after the last run, for this region. */
export async function findingsCurrent(store: StoreBackend, region: string | undefined): Promise<boolean> {
  const info = await store.findingsInfo();
  return info !== undefined && info.run === await store.lastRun() && info.region === (region ?? '');
}

/** Findings of the calls `touched` (all when null), stored in place of theirs; returns how many the store holds. */
async function storeFindings(store: StoreBackend, region: string | undefined, touched: number[] | null, media?: MediaIndex): Promise<number> {
  const run = await store.lastRun();
  const context = await loadContext(store);
  const findings = await store.beginFindings({ run, region: region ?? '' }, touched ?? 'all');
  try {
    await diagnoseStore(store, context, touched, {
      ...(region === undefined ? {} : { region }), ...(media === undefined ? {} : { media }),
      onBatch: (_, rows) => findings.add(rows),
    });
    return await findings.commit();
  } catch (e) {
    await findings.rollback();
    throw e;
  }
}

async function writeCalls(calls: Call[], run: number, nextIdx: number, store: StoreBackend, writer: RunWriter, result: IndexResult): Promise<number[]> {
  // An empty store has none of them: no need to ask for 270k Call-IDs.
  const existing = nextIdx === 0 ? new Map<string, number>() : await store.existing(calls.map((c) => c.callId));
  const parts: CallPart[] = [];
  const fresh: CallRow[] = [];
  const merged: number[] = [];
  let idx = nextIdx;
  for (const call of calls) {
    const known = existing.get(call.callId);
    if (known === undefined) {
      parts.push({ idx, run, runCall: call.index });
      fresh.push(callToRow(call, idx++));
    } else {
      parts.push({ idx: known, run, runCall: call.index });
      merged.push(known);
    }
  }
  await writer.addParts(parts);
  await writer.addCalls(fresh);
  for (const idx of merged) await writer.replaceCall(await resummarise(store, idx));
  result.newCalls = fresh.length;
  result.mergedCalls = merged.length;
  return parts.map((p) => p.idx);
}

/** The call's summary over all its stored messages, as one CallStore reading them in order makes it. */
async function resummarise(store: StoreBackend, idx: number): Promise<CallRow> {
  const replay = new CallStore();
  for (const row of await store.messagesOf(idx)) replay.add(rowToMessage(row, true));
  const [call] = replay.calls();
  if (call === undefined || replay.size !== 1) throw new Error(`call ${idx}: stored messages do not form one call`);
  return callToRow(call, idx);
}

