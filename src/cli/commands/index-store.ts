/**
 * `sipv index FILE... [--store URL]`: reads captures once and writes their
 * calls and messages into a store; `calls`, `show` (and the other read
 * commands) then answer with `--store URL` instead of FILE.... A file whose
 * content is already in the store is skipped, so indexing again is harmless.
 */
import type { Command } from 'commander';
import { StoreError } from '../../store/backend.js';
import { indexFiles } from '../../store/indexer.js';
import { openStore } from '../../store/open.js';
import { reportInput } from '../inputs.js';
import { CliError, Exit, type Io } from '../io.js';
import { progressBar } from '../progress.js';

interface IndexFlags {
  store: string;
}

export const DEFAULT_STORE = 'sipv.duckdb';

export async function runIndex(files: string[], flags: IndexFlags, io: Io): Promise<number> {
  if (files.includes('-')) throw new CliError('index reads files, not stdin: a store remembers each file by its content (save the capture first)');
  const started = performance.now();
  let store;
  try {
    store = await openStore(flags.store, 'write');
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
  const progress = progressBar(io);
  try {
    const result = await indexFiles(files, store, { onProgress: progress?.update });
    progress?.finish();
    let exitCode: number = Exit.OK;
    for (const report of result.reports) if (reportInput(report, io)) exitCode = Exit.USAGE;
    for (const s of result.skipped) io.err(`sipv: ${s.file}: already in the store (same content), skipped\n`);
    const seconds = (performance.now() - started) / 1000;
    const totals = await store.totals();
    io.out(`indexed ${result.indexed.length} file(s): ${result.newCalls} new conversations, ${result.mergedCalls} continued, `
      + `${result.messages} SIP messages in ${seconds.toFixed(1)} s; store has ${totals.calls} conversations (${totals.messages} SIP messages)\n`);
    return exitCode;
  } finally {
    await store.close();
  }
}

export function registerIndex(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  program
    .command('index')
    .description('write the calls and messages of captures into a store (DuckDB file or ClickHouse)')
    .argument('<file...>', 'pcap, pcapng, tcpdump -A text, gzip of any')
    .option('--store <url>', `a path or duckdb:PATH (embedded), or clickhouse://host:8123/db`, DEFAULT_STORE)
    .addHelpText('after', `
Examples:
  sipv index day1.pcap day2.pcap --store calls.duckdb
  sipv calls --store calls.duckdb --where "dstnum 8969669"
  sipv index /var/spool/sip/*.pcap --store clickhouse://ch1:8123/sipv`)
    .action((files: string[], flags: IndexFlags) => run(runIndex(files, flags, io)));
}
