/**
 * Live capture without a native addon: tcpdump (or Wireshark's dumpcap) runs
 * as a child writing pcap to its stdout, packet-buffered (`-U`,
 * `--immediate-mode`), and that stream goes through the same readers as a
 * file. The child does the privileged part; we never need root ourselves,
 * only the child does (root or cap_net_raw).
 *
 * Stopping sends SIGINT, as Ctrl-C would: the tool then flushes, prints its
 * counters and exits, and the stream ends on a whole record.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { FrameSink } from './frame.js';
import { describeFailure, isListening, readCounters, type ToolCounters } from './live-stderr.js';
import { StreamCaptureDecoder } from './stream.js';

/**
 * SIP on its usual ports (5060 UDP/TCP/SCTP, 5061 TLS, 5080 the common
 * alternative), HEP on 9060, and every IP fragment: the later fragments of a
 * large SIP datagram carry no UDP header, so a port filter alone would lose
 * them and the message could not be reassembled.
 */
export const DEFAULT_BPF = 'port 5060 or port 5061 or port 5080 or port 9060 or (ip[6:2] & 0x1fff != 0) or (ip6 and ip6[6] == 44)';

export type CaptureTool = 'tcpdump' | 'dumpcap';

export interface LiveOptions {
  /** Interface; default `any` (every interface — duplicates are recognised later). */
  iface?: string;
  bpf?: string;
  /** Stop after this many packets (the tool's own `-c`, so it stops on a whole packet). */
  count?: number;
  tool?: CaptureTool;
  /** Every byte of the pcap stream, e.g. to write `-w FILE`. */
  onChunk?: (chunk: Buffer) => void;
  /** Each stderr line the tool prints (for debugging and tests). */
  onStderr?: (line: string) => void;
}

export interface LiveResult {
  tool: CaptureTool;
  iface: string;
  counters: ToolCounters;
  decoder: StreamCaptureDecoder;
  /** One sentence when the capture could not run or broke. */
  error?: string;
}

/** The first of tcpdump, dumpcap found on PATH. */
export function findCaptureTool(path = process.env['PATH'] ?? ''): CaptureTool | undefined {
  for (const tool of ['tcpdump', 'dumpcap'] as const) {
    if (path.split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, tool)))) return tool;
  }
  return undefined;
}

export function toolArgs(tool: CaptureTool, iface: string, bpf: string, count?: number): string[] {
  const c = count === undefined ? [] : ['-c', String(count)];
  if (tool === 'dumpcap') return ['-i', iface, '-P', '-w', '-', ...c, ...(bpf ? ['-f', bpf] : [])];
  return ['-U', '--immediate-mode', '-w', '-', '-i', iface, ...c, ...(bpf ? [bpf] : [])];
}

export class LiveCapture {
  readonly counters: ToolCounters = {};
  readonly done: Promise<LiveResult>;
  /** Resolves once the tool reports that it is capturing (or failed to start). */
  readonly listening: Promise<void>;
  private readonly child: ChildProcess | undefined;
  private stopping = false;
  private capturing = false;
  private tool: CaptureTool | undefined;

  constructor(onFrame: FrameSink, readonly options: LiveOptions = {}) {
    const tool = options.tool ?? findCaptureTool();
    this.tool = tool;
    const iface = options.iface ?? 'any';
    const decoder = new StreamCaptureDecoder({ live: true });
    if (tool === undefined) {
      const error = 'live capture needs tcpdump or dumpcap on PATH (e.g. apt-get install tcpdump)';
      this.done = Promise.resolve({ tool: 'tcpdump', iface, counters: this.counters, decoder, error });
      this.listening = Promise.resolve();
      return;
    }
    const child = spawn(tool, toolArgs(tool, iface, options.bpf ?? DEFAULT_BPF, options.count), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let error: string | undefined;
    let markListening!: () => void;
    this.listening = new Promise((resolve) => { markListening = resolve; });
    let pending = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      pending += text.replace(/\r/g, '\n');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === '') continue;
        options.onStderr?.(line);
        if (isListening(line)) {
          this.capturing = true;
          markListening();
        }
        readCounters(line, this.counters);
        error ??= describeFailure(line, tool, iface);
      }
    });
    const spawned = new Promise<void>((resolve) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        error ??= e.code === 'ENOENT' ? `${tool} is not installed (apt-get install tcpdump)` : `${tool} could not start: ${e.message}`;
        resolve();
      });
      child.once('close', (code, signal) => {
        if (code !== 0 && code !== null && !this.stopping) error ??= `${tool} exited with status ${code}`;
        if (signal !== null && !this.stopping) error ??= `${tool} was killed by ${signal}`;
        resolve();
      });
    });
    this.done = (async () => {
      try {
        for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
          options.onChunk?.(chunk);
          decoder.push(chunk, onFrame);
        }
      } finally {
        decoder.end(onFrame);
      }
      await spawned;
      markListening();
      if (decoder.fatal && error === undefined && decoder.bytes > 0) error = `${tool} output could not be read: ${decoder.fatal.detail}`;
      const result: LiveResult = { tool, iface, counters: this.counters, decoder };
      if (error !== undefined) result.error = error;
      return result;
    })();
  }

  /** Asks tcpdump to print its counters now (SIGUSR1); dumpcap only reports at the end. */
  refreshCounters(): void {
    // Before tcpdump installs its handler, SIGUSR1 would kill it.
    if (this.child && this.capturing && this.child.exitCode === null && !this.stopping && this.tool === 'tcpdump') {
      this.child.kill('SIGUSR1');
    }
  }

  /** Ends the capture as Ctrl-C would; escalates if the tool does not exit. */
  stop(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    child.kill('SIGINT');
    const escalate = setTimeout(() => child.kill('SIGKILL'), 3000);
    escalate.unref();
    child.once('close', () => clearTimeout(escalate));
  }
}
