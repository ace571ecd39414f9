/**
 * `sipv capture [-i IFACE] [-f BPF] [-w FILE] [--duration S] [--count N]`:
 * live capture through tcpdump/dumpcap with a running count on a terminal;
 * Ctrl-C, `--duration` or `--count` end it cleanly, `-w` is flushed, and a
 * summary plus the calls seen are printed. When stdout is not a terminal,
 * each call is printed as one NDJSON line (`calls --json` object) as it
 * completes, and the summary goes to stderr — `sipv capture | jq` works live.
 */
import type { Command } from 'commander';
import { DEFAULT_BPF } from '../../capture/live.js';
import { CallStore } from '../../calls/store.js';
import { writeCallsTable } from '../../report/calls-text.js';
import { runLiveCapture, summaryLine } from '../live-run.js';
import { CliError, Exit, type Io } from '../io.js';
import { addKeylogOption, keylogFromFlags, type KeylogFlags } from '../keylog-option.js';
import { addLimitOptions, limitsFromFlags, type LimitFlags } from '../limit-options.js';
import { reportRunLimits } from '../inputs.js';

interface CaptureFlags extends KeylogFlags, LimitFlags {
  idle?: string;
  i?: string;
  f?: string;
  w?: string;
  force?: boolean;
  duration?: string;
  count?: string;
}

function positive(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${what} must be a positive number, not '${text}'`);
  return n;
}

export async function runCaptureCommand(flags: CaptureFlags, io: Io): Promise<number> {
  const durationSec = positive(flags.duration, '--duration');
  const count = positive(flags.count, '--count');
  const idleSec = positive(flags.idle, '--idle');
  if (count !== undefined && !Number.isInteger(count)) throw new CliError(`--count must be a whole number, not '${flags.count}'`);
  const limits = limitsFromFlags(flags);
  const keylog = keylogFromFlags(flags, io);
  const ndjson = !io.outIsTty;
  // A collector runs for days: beyond the calls cap, older calls are summarised, not held.
  const store = new CallStore({ maxCalls: limits.maxCalls });
  const abort = new AbortController();
  // Ctrl-C reaches tcpdump too (same process group); we stop it ourselves as well, for dumpcap and pipes.
  const onSigint = (): void => abort.abort();
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  if (io.errIsTty) io.err(`capturing on ${flags.i ?? 'any'} — Ctrl-C stops\n`);
  try {
    const summary = await runLiveCapture(store, {
      ...(flags.i === undefined ? {} : { iface: flags.i }),
      ...(flags.f === undefined ? {} : { bpf: flags.f }),
      ...(flags.w === undefined ? {} : { writeFile: flags.w, force: flags.force === true }),
      ...(durationSec === undefined ? {} : { durationSec }),
      ...(count === undefined ? {} : { count }),
      ...(keylog === undefined ? {} : { keylog }),
      ...(idleSec === undefined ? {} : { idleSec }),
      ndjson,
      limits,
      signal: abort.signal,
    }, io);
    // NDJSON on stdout already carried every call; the summary is for the person, on stderr.
    const say = ndjson ? io.err : io.out;
    if (!ndjson && store.size > 0) writeCallsTable(store.calls(), io.columns, io.out);
    say(summaryLine(summary) + '\n');
    if (flags.w !== undefined) say(`wrote ${flags.w}\n`);
    reportRunLimits(summary.iface, summary.limitHits, store, io, limits);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  return Exit.OK;
}

export function registerCapture(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const cmd = program
    .command('capture')
    .description('capture SIP live (through tcpdump or dumpcap) and count packets, messages and calls')
    .option('-i <iface>', 'interface to capture on', 'any')
    .option('-f <bpf>', 'capture filter (BPF)', DEFAULT_BPF)
    .option('-w <file>', 'also write the captured packets to a pcap file')
    .option('--force', 'let -w replace an existing file')
    .option('--duration <s>', 'stop after S seconds')
    .option('--count <n>', 'stop after N packets')
    .option('--idle <s>', 'with stdout not a terminal: a call with no message for S seconds is complete (default 32)');
  addLimitOptions(addKeylogOption(cmd))
    .addHelpText('after', `
The default filter catches SIP on ports 5060, 5061 and 5080, HEP on 9060, and every
IP fragment (later fragments of a large SIP datagram carry no port):
  ${DEFAULT_BPF}
Capturing needs root or the cap_net_raw capability for tcpdump/dumpcap.

Beyond --max-calls, the oldest calls are summarised (counted by first method and
final status) instead of held: a warning says so once when it first happens, and
the end of the run says how many, with a line for every other limit reached.

On a terminal the latest calls are redrawn in place above the status line. When
stdout is not a terminal, each call is printed as one line of JSON (the object of
\`calls --json\`) as soon as it completes: a final response to its first request
(not 401/407, not a 2xx to INVITE), a final response to BYE, no message for
--idle seconds, or the end of the capture; the summary then goes to stderr.

Examples:
  sudo sipv capture -i eth0 -w calls.pcap
  sipv capture -i lo --duration 10
  sipv capture -f "udp port 5062" --count 100
  sipv capture -i eth0 | jq -c 'select(.finalStatus >= 400)'
  sipv capture -i eth0 -f "port 5061" --keylog /var/log/kamailio-keys.log`)
    .action((flags: CaptureFlags) => run(runCaptureCommand(flags, io)));
}
