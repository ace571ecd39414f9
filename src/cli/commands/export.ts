/**
 * `sipv export FILE... [FILTER] -o OUT`: the calls that pass the filter, as
 * pcap/pcapng (original frames), tcpdump -A text or JSON — chosen by OUT's
 * ending (SPEC.md). Every call's messages are kept while reading because the
 * filter can only be decided once a call is complete.
 */
import type { Command } from 'commander';
import { exportCalls, exportFormatOf } from '../export-run.js';
import type { Call } from '../../calls/call.js';
import { checkInputs, openStoreForCommand, storedCalls, keepMessages } from '../call-source.js';
import { addFilterOptions, filterFromFlags, type FilterFlags } from '../filter-options.js';
import { loadSelected } from '../inputs.js';
import { addKeylogOption, keylogFromFlags, type KeylogFlags } from '../keylog-option.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { Exit, type Io } from '../io.js';
import { refuseOverwrite } from '../output-file.js';
import { safeInline } from '../../core/sanitize.js';

interface ExportFlags extends FilterFlags, KeylogFlags, LimitFlags {
  output: string;
  store?: string;
  force?: boolean;
}

export async function runExport(files: string[], flags: ExportFlags, io: Io): Promise<number> {
  const filter = filterFromFlags(flags);
  const force = flags.force === true;
  // Before the inputs are read: an existing output is the user's, not ours to replace.
  refuseOverwrite(flags.output, { force });
  const keylog = keylogFromFlags(flags, io);
  checkInputs(files, flags.store);
  let calls: Call[], exitCode: number = Exit.OK;
  if (flags.store !== undefined) {
    exportFormatOf(flags.output);
    const store = await openStoreForCommand(flags.store);
    try {
      calls = (await storedCalls(store, filter)).calls;
      await keepMessages(store, calls);
    } finally {
      await store.close();
    }
  } else {
    ({ calls, exitCode } = await loadSelected(files, io, filter, keylog, limitsFromFlags(flags)));
  }
  // A store keeps SIP messages, not the frames that carried them: pcap/pcapng frames are rebuilt around them.
  const rebuild = flags.store !== undefined;
  const r = await exportCalls(files, calls, flags.output, keylog === undefined ? { force, rebuild } : { keylog, force, rebuild });
  const what = r.format === 'pcap' || r.format === 'pcapng' ? `, ${r.packets} ${rebuild ? 'frames rebuilt from the stored messages' : 'frames'}` : r.format === 'text' ? `, ${r.packets} packets` : '';
  io.err(safeInline(`${r.calls} conversations (${r.messages} SIP messages${what}) written to ${flags.output}`) + '\n');
  return exitCode;
}

export function registerExport(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = program
    .command('export')
    .description('write the calls that pass the filter to pcap, pcapng, tcpdump -A text or JSON')
    .argument('[file...]', 'pcap, pcapng, tcpdump -A text, gzip of any, or - for stdin (text and JSON only)')
    .option('--store <url>', 'answer from a store made by `sipv index` instead of FILE... (.txt or .json only)')
    .requiredOption('-o, --output <out>', 'output file; its ending picks the format: .pcap .pcapng .txt .json')
    .option('--force', 'replace OUT when it exists')
    .addHelpText('after', `
pcap/pcapng hold the original frames (bytes and timestamps as captured; every IP
fragment and TCP segment of a message, so Wireshark reassembles). .txt is
tcpdump -nn -tttt -A style and loads again with sipv. .json is show --json per call.

Examples:
  sipv export trace.pcap --where "srcnum 4151509" -o failed-call.pcap
  sipv export a.pcapng b.pcap --where "ip 10.0.0.0/8" -o calls.pcapng
  sipv export trace.pcap -o calls.json`);
  addLimitOptions(addKeylogOption(addFilterOptions(cmd))).action((files: string[], flags: ExportFlags) => run(runExport(files, flags, io)));
}
