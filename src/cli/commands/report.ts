/**
 * `sipv report FILE... [FILTER] -o OUT.html`: one self-contained HTML file with
 * a summary, the call table, per call a ladder, the messages and the diagnosis
 * findings (SPEC.md). Every call's messages are kept: the report shows them all,
 * and the diagnosis looks at calls outside the filter for context.
 */
import type { Command } from 'commander';
import { safeInline } from '../../core/sanitize.js';
import { diagnose } from '../../diagnose/engine.js';
import { collectRtp } from '../../media/collect.js';
import { announcedEndpoints } from '../../media/index.js';
import { buildReport } from '../../report/html/model.js';
import { renderReportHtml } from '../../report/html/page.js';
import { regionFromEnv } from './diagnose.js';
import { addFilterOptions, filterFromFlags, type FilterFlags } from '../filter-options.js';
import { loadFiltered } from '../inputs.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { CliError, Exit, type Io } from '../io.js';
import type { Call } from '../../calls/call.js';
import type { Finding } from '../../diagnose/finding.js';
import { checkInputs, keepMessages, openStoreForCommand, storedCalls, storedFindings } from '../call-source.js';
import { refuseOverwrite, writeOutputFile } from '../output-file.js';

interface ReportFlags extends FilterFlags, LimitFlags {
  output: string;
  store?: string;
  force?: boolean;
}

export async function runReport(files: string[], flags: ReportFlags, io: Io, env: NodeJS.ProcessEnv = {}): Promise<number> {
  if (!/\.html?$/i.test(flags.output)) throw new CliError(`the report is HTML: give -o a name ending in .html, not '${flags.output}'`);
  const filter = filterFromFlags(flags);
  const force = flags.force === true;
  // Before the inputs are read: an existing output is the user's, not ours to replace.
  refuseOverwrite(flags.output, { force });
  checkInputs(files, flags.store);
  const region = regionFromEnv(env);
  let calls: Call[], findings: Finding[], exitCode: number = Exit.OK;
  if (flags.store !== undefined) {
    // From a store: the stored findings (as diagnose --store), the filtered calls' messages in bulk.
    const store = await openStoreForCommand(flags.store);
    try {
      const stored = await storedCalls(store, filter);
      calls = stored.calls;
      findings = await storedFindings(store, stored, region);
      await keepMessages(store, calls);
    } finally {
      await store.close();
    }
  } else {
    const loaded = await loadFiltered(files, io, filter, undefined, limitsFromFlags(flags));
    exitCode = loaded.exitCode;
    const all = loaded.all;
    calls = loaded.calls;
    // The same findings as sipv diagnose, media.one-way included (RTP from a second read).
    const media = await collectRtp(files, announcedEndpoints(calls));
    findings = diagnose({ calls, allCalls: all, options: region === undefined ? {} : { region }, media });
  }
  const html = renderReportHtml(buildReport(flags.store !== undefined ? [flags.store] : files, calls, findings));
  // A temporary file moved into place: an interrupted run leaves no half-written report.
  writeOutputFile(flags.output, html, { force });
  io.err(safeInline(`${calls.length} conversations, ${findings.length} findings written to ${flags.output}`) + '\n');
  return exitCode;
}

export function registerReport(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = program
    .command('report')
    .description('write a self-contained HTML report: summary, call table, ladders, messages, findings')
    .argument('[file...]', 'pcap, pcapng, tcpdump -A text, gzip of any, or - for stdin')
    .option('--store <url>', 'answer from a store made by `sipv index` instead of FILE...')
    .requiredOption('-o, --output <out.html>', 'the HTML file to write')
    .option('--force', 'replace OUT.html when it exists')
    .addHelpText('after', `
The file needs no network and no other files: mail it, attach it to a ticket.

Examples:
  sipv report trace.pcap -o report.html
  sipv report trunk.pcapng --where "dstnum 4969*" -o failed-to-germany.html`);
  addLimitOptions(addFilterOptions(cmd)).action((files: string[], flags: ReportFlags) => run(runReport(files, flags, io, process.env)));
}
