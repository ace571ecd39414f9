/**
 * `sipv index FILE... [--store URL]`: reads captures once and writes their
 * calls and messages into a store; `calls`, `show` (and the other read
 * commands) then answer with `--store URL` instead of FILE.... A file whose
 * content is already in the store is skipped, so indexing again is harmless.
 * The diagnosis runs after the run and its findings are stored too.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { isRegion } from '../../diagnose/phone.js';
import { addKeylogOption, keylogFromFlags, type KeylogFlags } from '../keylog-option.js';
import { regionFromEnv } from './diagnose.js';
import { StoreError } from '../../store/backend.js';
import { indexFiles } from '../../store/indexer.js';
import { openStore } from '../../store/open.js';
import { reportInput } from '../inputs.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { CliError, Exit, type Io } from '../io.js';
import { progressBar } from '../progress.js';

interface IndexFlags extends LimitFlags, KeylogFlags {
  store: string;
  region?: string;
  /** false with --no-findings. */
  findings?: boolean;
}

export const DEFAULT_STORE = 'sipv.duckdb';

/**
 * Stdin spooled to a temporary file: the store names a capture by the hash of
 * its bytes, taken before it is read, and stdin can be read only once.
 */
async function spoolStdin(): Promise<{ path: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-index-'));
  const path = join(dir, 'stdin');
  await pipeline(process.stdin, createWriteStream(path));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runIndex(files: string[], flags: IndexFlags, io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (files.filter((f) => f === '-').length > 1) throw new CliError('stdin (-) can be read only once');
  if (flags.region !== undefined && !isRegion(flags.region)) throw new CliError(`--region '${flags.region}' is not an ISO 3166 country code libphonenumber knows`);
  const region = flags.region?.toUpperCase() ?? regionFromEnv(env);
  const keylog = keylogFromFlags(flags, io, env);
  const limits = limitsFromFlags(flags);
  const started = performance.now();
  let store;
  try {
    store = await openStore(flags.store, 'write');
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
  const spooled = files.includes('-') ? await spoolStdin() : undefined;
  const progress = progressBar(io);
  try {
    const paths = files.map((f) => (f === '-' ? spooled!.path : f));
    const result = await indexFiles(paths, store, {
      onProgress: progress?.update, limits, names: files, findings: flags.findings !== false,
      onWait: (note) => io.err(`sipv: ${note}\n`),
      ...(region === undefined ? {} : { region }), ...(keylog === undefined ? {} : { keylog }),
    });
    progress?.finish();
    let exitCode: number = Exit.OK;
    for (const report of result.reports) if (reportInput(report, io, limits)) exitCode = Exit.USAGE;
    for (const s of result.skipped) io.err(`sipv: ${s.file}: already in the store (same content), skipped\n`);
    const seconds = (performance.now() - started) / 1000;
    const totals = await store.totals();
    const findings = result.findings === undefined ? '' : `, ${result.findings} findings`;
    io.out(`indexed ${result.indexed.length} file(s): ${result.newCalls} new conversations, ${result.mergedCalls} continued, `
      + `${result.messages} SIP messages in ${seconds.toFixed(1)} s; store has ${totals.calls} conversations (${totals.messages} SIP messages)${findings}\n`);
    return exitCode;
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  } finally {
    spooled?.remove();
    await store.close();
  }
}

export function registerIndex(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = addLimitOptions(program
    .command('index'))
    .description('write the calls and messages of captures into a store (DuckDB file or ClickHouse)')
    .argument('<file...>', 'pcap, pcapng, tcpdump -A text, gzip of any, or - for stdin')
    .option('--store <url>', `a path or duckdb:PATH (embedded), or clickhouse://host:8123/db`, DEFAULT_STORE)
    .option('--region <CC>', 'country the stored findings check national numbers against (as diagnose --region); default from LANG')
    .option('--no-findings', 'do not run the diagnosis after indexing (diagnose --store then computes findings when asked)')
    .addHelpText('after', `
Examples:
  sipv index day1.pcap day2.pcap --store calls.duckdb
  sipv calls --store calls.duckdb --where "dstnum 8969669"
  sipv index /var/spool/sip/*.pcap --store clickhouse://ch1:8123/sipv
  tcpdump -r day3.pcap -w - | sipv index - --store calls.duckdb`);
  addKeylogOption(cmd).action((files: string[], flags: IndexFlags) => run(runIndex(files, flags, io)));
}
