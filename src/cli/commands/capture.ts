/**
 * `sipv capture [-i IFACE] [-f BPF] [-w FILE] [--duration S] [--count N]`:
 * live capture through tcpdump/dumpcap with a running count on a terminal;
 * Ctrl-C, `--duration` or `--count` end it cleanly, `-w` is flushed, and a
 * summary plus the calls seen are printed.
 */
import type { Command } from 'commander';
import { DEFAULT_BPF } from '../../capture/live.js';
import { CallStore } from '../../calls/store.js';
import { renderCallsTable } from '../../report/calls-text.js';
import { runLiveCapture, summaryLine } from '../live-run.js';
import { CliError, Exit, type Io } from '../io.js';

interface CaptureFlags {
  i?: string;
  f?: string;
  w?: string;
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
  if (count !== undefined && !Number.isInteger(count)) throw new CliError(`--count must be a whole number, not '${flags.count}'`);
  const store = new CallStore();
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
      ...(flags.w === undefined ? {} : { writeFile: flags.w }),
      ...(durationSec === undefined ? {} : { durationSec }),
      ...(count === undefined ? {} : { count }),
      signal: abort.signal,
    }, io);
    if (store.size > 0) io.out(renderCallsTable(store.calls(), io.outIsTty ? io.columns : 160));
    io.out(summaryLine(summary) + '\n');
    if (flags.w !== undefined) io.out(`wrote ${flags.w}\n`);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  return Exit.OK;
}

export function registerCapture(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  program
    .command('capture')
    .description('capture SIP live (through tcpdump or dumpcap) and count packets, messages and calls')
    .option('-i <iface>', 'interface to capture on', 'any')
    .option('-f <bpf>', 'capture filter (BPF)', DEFAULT_BPF)
    .option('-w <file>', 'also write the captured packets to a pcap file')
    .option('--duration <s>', 'stop after S seconds')
    .option('--count <n>', 'stop after N packets')
    .addHelpText('after', `
The default filter catches SIP on ports 5060, 5061 and 5080, HEP on 9060, and every
IP fragment (later fragments of a large SIP datagram carry no port):
  ${DEFAULT_BPF}
Capturing needs root or the cap_net_raw capability for tcpdump/dumpcap.

Examples:
  sudo sipv capture -i eth0 -w calls.pcap
  sipv capture -i lo --duration 10
  sipv capture -f "udp port 5062" --count 100`)
    .action((flags: CaptureFlags) => run(runCaptureCommand(flags, io)));
}
