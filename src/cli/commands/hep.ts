/**
 * `sipv hep [--udp HOST:PORT] [--tcp HOST:PORT] [--auth KEY] [-w FILE]
 * [--duration S] [--count N] [--json]`: a HEP collector (HEPv3, and HEPv1/v2
 * over UDP) for what Kamailio, OpenSIPS, FreeSWITCH, Asterisk or heplify
 * mirror; the SIP goes into calls live, and with `-w` into a pcap with the
 * original addresses and times. Ctrl-C, `--duration` or `--count` end it with
 * a summary and the calls (as `calls --json` prints them with `--json`).
 * When stdout is not a terminal (and without `--json`), each call is one
 * NDJSON line as it completes and the summary goes to stderr.
 */
import type { Command } from 'commander';
import type { ListenAddress } from '../../capture/hep-listener.js';
import { CallStore } from '../../calls/store.js';
import { writeCallsTable } from '../../report/calls-text.js';
import { writeCallsJson } from '../../report/json.js';
import { describe, hepSummaryLine, runHepCollector } from '../hep-run.js';
import { CliError, Exit, type Io } from '../io.js';
import { reportRunLimits } from '../inputs.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import type { LimitKey } from '../../core/limits.js';

/** HEP carries whole SIP messages: no TCP or IP reassembly, so only these limits apply. */
const HEP_LIMITS: readonly LimitKey[] = ['maxHeaders', 'maxHeaderBytes', 'maxCalls'];

interface HepFlags extends LimitFlags {
  udp: string[];
  tcp: string[];
  auth?: string;
  w?: string;
  force?: boolean;
  duration?: string;
  count?: string;
  json?: boolean;
  idle?: string;
}

export const HEP_PORT = 9060;

/** `HOST:PORT`, `[IPV6]:PORT`, a bare `PORT`, or a bare host (port 9060). */
export function parseListen(text: string, option: string): ListenAddress {
  let host: string;
  let port: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  if (bracket) [host, port] = [bracket[1]!, bracket[2]];
  else if (/^\d+$/.test(text)) [host, port] = ['0.0.0.0', text];
  else if (text.split(':').length > 2) [host, port] = [text, undefined]; // a bare IPv6 address
  else [host, port] = text.includes(':') ? [text.slice(0, text.lastIndexOf(':')), text.slice(text.lastIndexOf(':') + 1)] : [text, undefined];
  const n = port === undefined ? HEP_PORT : Number(port);
  if (host === '' || port === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new CliError(`${option} wants HOST:PORT (e.g. 0.0.0.0:9060 or [::]:9060), not '${text}'`);
  }
  return { host, port: n };
}

function positive(text: string | undefined, what: string, whole = false): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) throw new CliError(`${what} must be a positive ${whole ? 'whole ' : ''}number, not '${text}'`);
  return n;
}

export async function runHepCommand(flags: HepFlags, io: Io): Promise<number> {
  const udp = flags.udp.map((t) => parseListen(t, '--udp'));
  const tcp = flags.tcp.map((t) => parseListen(t, '--tcp'));
  if (udp.length === 0 && tcp.length === 0) udp.push({ host: '0.0.0.0', port: HEP_PORT });
  const durationSec = positive(flags.duration, '--duration');
  const count = positive(flags.count, '--count', true);
  const idleSec = positive(flags.idle, '--idle');
  const ndjson = !flags.json && !io.outIsTty;
  if (flags.auth === '') throw new CliError('--auth wants a key, not an empty string');
  const limits = limitsFromFlags(flags);
  // A collector runs for days: beyond the calls cap, older calls are summarised, not held.
  const store = new CallStore({ maxCalls: limits.maxCalls });
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runHepCollector(store, {
      udp, tcp,
      ...(flags.auth === undefined ? {} : { authKey: flags.auth }),
      ...(flags.w === undefined ? {} : { writeFile: flags.w, force: flags.force === true }),
      ...(durationSec === undefined ? {} : { durationSec }),
      ...(count === undefined ? {} : { count }),
      ...(idleSec === undefined ? {} : { idleSec }),
      ndjson,
      limits,
      signal: abort.signal,
      // Always said, on stderr: with port 0 it is the only way to learn the port.
      onListening: (bound) => io.err(`listening for HEP on ${bound.map(describe).join(', ')}${io.errIsTty ? ' — Ctrl-C stops' : ''}\n`),
    }, io);
    const wrote = flags.w === undefined ? undefined : `wrote ${flags.w} (${summary.written} packets${summary.notWritten > 0 ? `, ${summary.notWritten} SIP messages not written` : ''})`;
    if (flags.json || ndjson) {
      // `--json`: the array now; NDJSON: every call is already out. The summary is for the person.
      if (flags.json) writeCallsJson(store.calls(), io.out);
      io.err(hepSummaryLine(summary) + '\n');
      if (wrote !== undefined) io.err(wrote + '\n');
    } else {
      if (store.size > 0) writeCallsTable(store.calls(), io.columns, io.out);
      io.out(hepSummaryLine(summary) + '\n');
      if (wrote !== undefined) io.out(wrote + '\n');
    }
    reportRunLimits('HEP', summary.limitHits, store, io, limits);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return Exit.OK;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerHep(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = program
    .command('hep')
    .description('collect SIP mirrored as HEP (Homer) by SIP servers and agents, live, into calls')
    .option('--udp <host:port>', `listen for HEP over UDP (repeatable; default 0.0.0.0:${HEP_PORT} when neither --udp nor --tcp is given)`, collect, [])
    .option('--tcp <host:port>', 'listen for HEPv3 over TCP (repeatable)', collect, [])
    .option('--auth <key>', 'accept only packets carrying this auth key (HEP chunk 14); others are counted and dropped')
    .option('-w <file>', 'also write the collected SIP to a pcap, with the original addresses, ports and times')
    .option('--force', 'let -w replace an existing file')
    .option('--duration <s>', 'stop after S seconds')
    .option('--count <n>', 'stop after N HEP packets')
    .option('--json', 'print the calls as `calls --json` does (the summary goes to stderr)')
    .option('--idle <s>', 'with stdout not a terminal: a call with no message for S seconds is complete (default 32)');
  addLimitOptions(cmd, HEP_LIMITS)
    .addHelpText('after', `
On a terminal the latest calls are redrawn in place above the status line. When
stdout is not a terminal (and without --json), each call is printed as one line of
JSON (the object of \`calls --json\`) as soon as it completes: a final response to
its first request (not 401/407, not a 2xx to INVITE), a final response to BYE, no
message for --idle seconds, or the end of the run; the summary goes to stderr.

Beyond --max-calls, the oldest calls are summarised (counted by first method and
final status) instead of held: a warning says so once when it first happens, and
the end of the run says how many.

Kamailio: modparam("siptrace", "duplicate_uri", "sip:COLLECTOR:9060") with
modparam("siptrace", "hep_mode_on", 1) and hep_version 3. heplify: -hs COLLECTOR:9060.

Examples:
  sipv hep                                   # UDP 0.0.0.0:9060
  sipv hep --udp [::]:9060 --tcp [::]:9060 --auth s3cret -w mirrored.pcap
  sipv hep --udp 127.0.0.1:9060 --duration 60 --json > calls.json`)
    .action((flags: HepFlags) => run(runHepCommand(flags, io)));
}
