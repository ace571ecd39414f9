/**
 * `sipv diagnose FILE... [FILTER] [--region CC] [--json] [--fail-on LEVEL]`:
 * runs every diagnosis rule over the calls that pass the filter and prints
 * the findings (SPEC.md). Every call's messages are kept because rules also
 * look at calls outside the filter (earlier REGISTERs, the forwarded leg).
 * Exit 1 when a finding at or above --fail-on exists, 2 on bad usage/input.
 */
import type { Command } from 'commander';
import { diagnose, reaches } from '../../diagnose/engine.js';
import type { Call } from '../../calls/call.js';
import { isSeverity, type Finding, type Severity } from '../../diagnose/finding.js';
import { checkInputs, openStoreForCommand, storedCalls, storedFindings } from '../call-source.js';
import { isRegion } from '../../diagnose/phone.js';
import { renderFindings } from '../../report/findings-text.js';
import { collectRtp } from '../../media/collect.js';
import { announcedEndpoints } from '../../media/index.js';
import { addFilterOptions, filterFromFlags, type FilterFlags } from '../filter-options.js';
import { loadFiltered } from '../inputs.js';
import { addKeylogOption, keylogFromFlags, type KeylogFlags } from '../keylog-option.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { CliError, Exit, type Io } from '../io.js';

interface DiagnoseFlags extends FilterFlags, KeylogFlags, LimitFlags {
  region?: string;
  json?: boolean;
  failOn?: string;
  store?: string;
}

/** `de_DE.UTF-8` → `DE`: the issue asks for the locale's region when --region is absent. */
export function regionFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ['LC_ALL', 'LC_TELEPHONE', 'LANG']) {
    const m = /^[a-z]{2,3}_([A-Z]{2})\b/.exec(env[name] ?? '');
    if (m && isRegion(m[1]!)) return m[1];
  }
  return undefined;
}

export async function runDiagnose(files: string[], flags: DiagnoseFlags, io: Io, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const filter = filterFromFlags(flags);
  let failOn: Severity | undefined;
  if (flags.failOn !== undefined) {
    if (!isSeverity(flags.failOn)) throw new CliError(`--fail-on must be info, warning or error, not '${flags.failOn}'`);
    failOn = flags.failOn;
  }
  if (flags.region !== undefined && !isRegion(flags.region)) throw new CliError(`--region '${flags.region}' is not an ISO 3166 country code libphonenumber knows`);
  const region = flags.region?.toUpperCase() ?? regionFromEnv(env);
  checkInputs(files, flags.store);
  let all: Call[], calls: Call[], findings: Finding[], exitCode: number = Exit.OK;
  if (flags.store !== undefined) {
    const store = await openStoreForCommand(flags.store);
    try {
      ({ calls } = await storedCalls(store, filter));
      // Findings name only the judged calls: their indexes are all the text view needs.
      all = calls;
      findings = await storedFindings(store, { calls }, region);
    } finally {
      await store.close();
    }
  } else {
    ({ all, calls, exitCode } = await loadFiltered(files, io, filter, keylogFromFlags(flags, io, env), limitsFromFlags(flags)));
    // RTP only for the calls being judged (media.one-way); a second read keeps the SIP path lean.
    const media = await collectRtp(files, announcedEndpoints(calls));
    findings = diagnose({ calls, allCalls: all, options: region === undefined ? {} : { region }, media });
  }
  if (flags.json) io.out(JSON.stringify(findings, null, 1) + '\n');
  else io.out(renderFindings(findings, { color: io.outIsTty, callIndex: new Map(all.map((c) => [c.callId, c.index])), calls: calls.length }));
  if (exitCode !== Exit.OK) return exitCode;
  return failOn !== undefined && reaches(findings, failOn) ? Exit.FOUND : Exit.OK;
}

export function registerDiagnose(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = program
    .command('diagnose')
    .description('say why calls failed: NAT and SIP-ALG faults, Caller-ID, Diversion, codecs, one-way audio')
    .argument('[file...]', 'pcap, pcapng, tcpdump -A text, gzip of any, or - for stdin')
    .option('--store <url>', 'answer from a store made by `sipv index` instead of FILE...')
    .option('--region <CC>', 'country (ISO 3166, e.g. DE) national numbers are checked against; default from LANG')
    .option('--json', 'print one JSON array of findings (shape: SPEC.md)')
    .option('--fail-on <level>', 'exit 1 when a finding at or above info|warning|error exists')
    .addHelpText('after', `
Examples:
  sipv diagnose server.pcap
  sipv diagnose trunk.pcapng --region DE --where "srcnum 1502"
  sipv diagnose nightly.pcap --json --fail-on error
  sipv diagnose --store calls.duckdb --where "dstnum 8969669"`);
  addLimitOptions(addKeylogOption(addFilterOptions(cmd))).action((files: string[], flags: DiagnoseFlags) => run(runDiagnose(files, flags, io, process.env)));
}
