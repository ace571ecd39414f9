/**
 * `FILE...` or `--store URL`: the one place a read command turns its inputs
 * into a CallSource. Captures are read now (warnings on stderr, exit 2 for
 * damage, as before); a store is opened read-only and answers the same.
 *
 *   const { source, exitCode } = await openCallSource(files, flags.store, io, { keep });
 *   const calls = await source.list({ filter });
 *   const messages = await source.messages(call);
 *   await source.close();
 */
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import type { Filter } from '../calls/filter.js';
import type { CallStore, CallStoreOptions } from '../calls/store.js';
import type { Finding } from '../diagnose/finding.js';
import type { StoreBackend } from '../store/backend.js';
import { rowToMessage, type MessageRow } from '../store/rows.js';
import type { Limits } from '../core/limits.js';
import { StoreError } from '../store/backend.js';
import { openStore } from '../store/open.js';
import { memoryCallSource, storeCallSource, type CallSource } from '../store/source.js';
import type { KeyLog } from '../tls/keylog.js';
import { loadForCommand } from './inputs.js';
import { CliError, Exit, type Io } from './io.js';

export interface OpenedSource {
  source: CallSource;
  /** Exit.USAGE when an input file was unreadable or damaged. */
  exitCode: number;
}

/** Either FILE... or --store, never both, never neither. */
export function checkInputs(files: string[], store: string | undefined): void {
  if (store !== undefined && files.length > 0) throw new CliError('give capture files or --store URL, not both', Exit.USAGE);
  if (store === undefined && files.length === 0) throw new CliError('give capture files (or - for stdin), or --store URL', Exit.USAGE);
}

export async function openCallSource(files: string[], store: string | undefined, io: Io, storeOptions: CallStoreOptions = {}, keylog?: KeyLog, limits?: Limits): Promise<OpenedSource> {
  checkInputs(files, store);
  if (store === undefined) {
    const loaded = await loadForCommand(files, io, storeOptions, keylog, limits);
    return { source: memoryCallSource(loaded.store), exitCode: loaded.exitCode };
  }
  try {
    return { source: await storeCallSource(await openStore(store, 'read')), exitCode: Exit.OK };
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}

/** Opens `--store URL` for reading; store problems become one-line CLI errors. */
export async function openStoreForCommand(url: string): Promise<StoreBackend> {
  try {
    return await openStore(url, 'read');
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * Messages of many calls in one query per few thousand calls (not one per
 * call), set as each call's `kept`, in arrival order — the shape the
 * diagnosis, report and export code expects from `--keep` loads.
 */
export async function keepMessages(store: StoreBackend, calls: readonly Call[]): Promise<void> {
  const by = new Map<number, CapturedMessage[]>(calls.map((c) => [c.index, []]));
  await store.eachMessage(calls.map((c) => c.index), (idx, row) => by.get(idx)?.push(rowToMessage(row)));
  for (const c of calls) c.kept = by.get(c.index)!.sort((a, b) => a.seq - b.seq);
}

export interface StoredCalls {
  /** The calls the filter keeps, in index order (the filter runs as SQL). */
  calls: Call[];
}

export async function storedCalls(store: StoreBackend, filter: Filter): Promise<StoredCalls> {
  // Not closed here: closing the source closes the caller's store.
  const source = await storeCallSource(store);
  return { calls: await source.list({ filter }) };
}

/**
 * The findings `diagnose` prints for `calls`: the ones `sipv index` stored when
 * they are current (computed after the last run, for this region), else
 * computed now from the stored messages, one batch of calls at a time.
 */
export async function storedFindings(store: StoreBackend, { calls }: StoredCalls, region: string | undefined): Promise<Finding[]> {
  // Loaded here, not at the top: they bring the whole diagnosis, which `calls FILE` never needs.
  const [{ findingsCurrent }, { diagnoseStore, loadContext }] = await Promise.all([import('../store/indexer.js'), import('../store/findings.js')]);
  if (await findingsCurrent(store, region)) {
    return (await store.findings(calls.map((c) => c.index))).map((r) => JSON.parse(r.json) as Finding);
  }
  const findings: Finding[] = [];
  await diagnoseStore(store, await loadContext(store), calls.map((c) => c.index), {
    ...(region === undefined ? {} : { region }),
    onBatch: async (batch) => { for (const f of batch) findings.push(f); },
  });
  return findings;
}

/**
 * Every stored message added to `into` in arrival order, as loading the
 * indexed files one after another would (the shell's `load --store URL`).
 * Messages carry source 0, which no loaded file has: pcap export of them is
 * refused like that of a live capture's.
 */
export async function replayStore(url: string, into: CallStore): Promise<void> {
  const store = await openStoreForCommand(url);
  try {
    const rows: MessageRow[] = [];
    await store.eachMessage(null, (_, row) => rows.push(row));
    rows.sort((a, b) => a.seq - b.seq);
    for (const row of rows) into.add(rowToMessage(row, true));
  } finally {
    await store.close();
  }
}
