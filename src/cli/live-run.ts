/**
 * One live capture into a call store, as both `sipv capture` and the shell's
 * `capture start` run it: starts the tool, shows a status line on a terminal
 * (packets, SIP messages, calls, drops), stops on Ctrl-C (the caller's
 * AbortSignal), `--duration` or `--count`, flushes `-w FILE`, and returns the
 * numbers for the summary line.
 */
import type { WriteStream } from 'node:fs';
import { LiveCapture, type CaptureTool } from '../capture/live.js';
import type { CallStore } from '../calls/store.js';
import { safeInline } from '../core/sanitize.js';
import { createFeed } from '../ingest/feed.js';
import { CliError, type Io } from './io.js';
import { openOutput } from './output-file.js';

export interface LiveRunOptions {
  iface?: string;
  bpf?: string;
  writeFile?: string;
  durationSec?: number;
  count?: number;
  tool?: CaptureTool;
  signal?: AbortSignal;
  /** Index given to messages' `source` (the shell counts loads and captures). */
  source?: number;
}

export interface LiveSummary {
  iface: string;
  packets: number;
  sipMessages: number;
  newCalls: number;
  dropped: number | undefined;
}

const STATUS_MS = 250;
const COUNTERS_MS = 2000;

export async function runLiveCapture(store: CallStore, options: LiveRunOptions, io: Io): Promise<LiveSummary> {
  const out = options.writeFile === undefined ? undefined : await openOutput(options.writeFile);
  const feed = createFeed(store, options.source ?? 0);
  const callsBefore = store.size;
  const messagesBefore = store.messagesSeen;
  const capture = new LiveCapture((f) => feed.frame(f), {
    ...(options.iface === undefined ? {} : { iface: options.iface }),
    ...(options.bpf === undefined ? {} : { bpf: options.bpf }),
    ...(options.count === undefined ? {} : { count: options.count }),
    ...(options.tool === undefined ? {} : { tool: options.tool }),
    ...(out === undefined ? {} : { onChunk: (c: Buffer) => { out.write(c); } }),
  });
  const iface = options.iface ?? 'any';
  const stop = (): void => capture.stop();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  const timers: NodeJS.Timeout[] = [];
  if (options.durationSec !== undefined) timers.push(setTimeout(stop, options.durationSec * 1000));
  const status = (): string =>
    `capturing on ${iface}: ${feed.decoder.stats.frames} packets, ${store.messagesSeen - messagesBefore} SIP messages, ` +
    `${store.size - callsBefore} calls, ${capture.counters.dropped ?? 0} dropped — Ctrl-C stops`;
  if (io.errIsTty) {
    timers.push(setInterval(() => io.err(`\r\x1b[K${safeInline(status())}`), STATUS_MS));
    timers.push(setInterval(() => capture.refreshCounters(), COUNTERS_MS));
  }
  let result;
  try {
    result = await capture.done;
  } finally {
    for (const t of timers) clearTimeout(t);
    options.signal?.removeEventListener('abort', stop);
    if (io.errIsTty) io.err('\r\x1b[K');
    feed.end();
    if (out !== undefined) await new Promise<void>((resolve) => out.end(resolve));
  }
  const summary: LiveSummary = {
    iface,
    packets: feed.decoder.stats.frames,
    sipMessages: store.messagesSeen - messagesBefore,
    newCalls: store.size - callsBefore,
    dropped: result.counters.dropped,
  };
  if (result.error !== undefined) throw new CliError(result.error);
  return summary;
}

export function summaryLine(s: LiveSummary): string {
  const dropped = s.dropped === undefined ? '' : `, ${s.dropped} dropped by kernel`;
  return `capture on ${s.iface} stopped: ${s.packets} packets, ${s.sipMessages} SIP messages, ${s.newCalls} new conversations${dropped}`;
}
