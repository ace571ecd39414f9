/**
 * `sipv calls FILE... [FILTER] [--sort arrival|callid] [--json|--ndjson]`:
 * every call in the inputs, one line (or one JSON object) each.
 */
import type { Command } from 'commander';
import type { Call } from '../../calls/call.js';
import { writeCallsJson, writeCallsNdjson } from '../../report/json.js';
import { writeCallsTable } from '../../report/calls-text.js';
import { factsNeeded } from '../../calls/filter.js';
import { addFilterOptions, filterFromFlags, type FilterFlags } from '../filter-options.js';
import { openCallSource } from '../call-source.js';
import { addKeylogOption, keylogFromFlags, type KeylogFlags } from '../keylog-option.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { CliError, type Io } from '../io.js';

interface CallsFlags extends FilterFlags, KeylogFlags, LimitFlags {
  sort: string;
  store?: string;
  json?: boolean;
  ndjson?: boolean;
}

export function sortCalls(calls: Call[], order: string): Call[] {
  if (order === 'arrival') return calls;
  if (order === 'callid') return [...calls].sort((a, b) => (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : a.index - b.index));
  throw new CliError(`--sort must be 'arrival' or 'callid', not '${order}'`);
}

/** `N conversations (M SIP messages) extracted`, and `; K older calls summarised` beyond --max-calls. */
export function totalLine(calls: number, messages: number, summarised: number): string {
  const older = summarised === 0 ? '' : `; ${summarised} older call${summarised === 1 ? '' : 's'} summarised`;
  return `${calls} conversations (${messages} SIP messages) extracted${older}`;
}

export async function runCalls(files: string[], flags: CallsFlags, io: Io): Promise<number> {
  const filter = filterFromFlags(flags);
  sortCalls([], flags.sort);
  // Only what the filter reads is gathered: nothing without one, header names only for `has`.
  const { source, exitCode } = await openCallSource(files, flags.store, io, factsNeeded(filter), keylogFromFlags(flags, io), limitsFromFlags(flags));
  const calls = sortCalls(await source.list({ filter }), flags.sort);
  await source.close();
  if (flags.ndjson) {
    writeCallsNdjson(calls, io.out);
  } else if (flags.json) {
    writeCallsJson(calls, io.out);
  } else {
    writeCallsTable(calls, io.outIsTty ? io.columns : 160, io.out);
    io.out(totalLine(calls.length, source.totalMessages, source.summarisedCalls) + '\n');
  }
  return exitCode;
}

export function registerCalls(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = program
    .command('calls')
    .description('list the calls (conversations by Call-ID) in captures')
    .argument('[file...]', 'pcap, pcapng, tcpdump -A text, gzip of any, or - for stdin')
    .option('--store <url>', 'answer from a store made by `sipv index` instead of FILE...')
    .option('--sort <order>', 'arrival (default) or callid', 'arrival')
    .option('--json', 'print one JSON array of calls (shape: SPEC.md)')
    .option('--ndjson', 'print one JSON object per line')
    .addHelpText('after', `
Examples:
  sipv calls examples/basic-call.pcap
  sipv calls trace.pcapng.gz --where "srcnum 4151509" --json
  sipv calls a.pcap b.pcap --where "has Diversion" --where "dstip 10.0.0.5" --condition and
  tcpdump -nn -A -r trace.pcap | sipv calls -
  sipv calls --store calls.duckdb --where "dstnum 8969669"`);
  addLimitOptions(addKeylogOption(addFilterOptions(cmd))).action((files: string[], flags: CallsFlags) => run(runCalls(files, flags, io)));
}
