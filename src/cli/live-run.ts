/**
 * One live capture into a call store, as both `sipv capture` and the shell's
 * `capture start` run it: starts the tool, shows a status line on a terminal
 * (packets, SIP messages, calls, drops), stops on Ctrl-C (the caller's
 * AbortSignal), `--duration` or `--count`, flushes `-w FILE`, and returns the
 * numbers for the summary line.
 */
import { LiveCapture, type CaptureTool } from '../capture/live.js';
import type { CallStore } from '../calls/store.js';
import { createFeed } from '../ingest/feed.js';
import type { LimitHit, Limits } from '../core/limits.js';
import { fragmentHits } from '../ingest/load.js';
import type { KeyLog } from '../tls/keylog.js';
import { CliError, type Io } from './io.js';
import { defaultLimits, watchCallsCap } from './limit-options.js';
import { LiveView } from './live-view.js';
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
  /** TLS secrets for SIP over TLS (--keylog, SSLKEYLOGFILE). */
  keylog?: KeyLog;
  /** `-w` may replace an existing file (--force). */
  force?: boolean;
  /** One NDJSON line per call as it completes, on stdout (when stdout is not a terminal). */
  ndjson?: boolean;
  /** Idle time after which an open call counts as complete for `ndjson`. */
  idleSec?: number;
  /** Hostile-input limits (--max-…); the defaults when absent. The calls cap is the store's own. */
  limits?: Limits;
}

export interface LiveSummary {
  iface: string;
  packets: number;
  sipMessages: number;
  newCalls: number;
  dropped: number | undefined;
  /** What each limit that was reached cut (one warning line each, `reportRunLimits`). */
  limitHits: LimitHit[];
}

const COUNTERS_MS = 2000;

export async function runLiveCapture(store: CallStore, options: LiveRunOptions, io: Io): Promise<LiveSummary> {
  const out = options.writeFile === undefined ? undefined : await openOutput(options.writeFile, { force: options.force === true });
  const limits = options.limits ?? defaultLimits();
  let status = (): string => '';
  const view = new LiveView(store, io, {
    ndjson: options.ndjson ?? false,
    rows: io.outIsTty,
    status: () => status(),
    ...(options.idleSec === undefined ? {} : { idleMs: options.idleSec * 1000 }),
    maxTracked: limits.maxCalls,
  });
  const tapped = view.tap();
  const add = tapped.add;
  // Said once, the moment the calls cap first summarises a call (the end of the run says how many).
  const capCheck = watchCallsCap(store, limits, (line) => view.notice(line));
  tapped.add = (m): void => { add(m); capCheck(); };
  const feed = createFeed(tapped, options.source ?? 0, options.keylog, limits);
  // Calls seen, counting those the calls cap summarised since.
  const seen = (): number => store.size + store.summarised.calls;
  const callsBefore = seen();
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
  status = (): string =>
    `capturing on ${iface}: ${feed.decoder.stats.frames} packets, ${store.messagesSeen - messagesBefore} SIP messages, ` +
    `${seen() - callsBefore} calls, ${capture.counters.dropped ?? 0} dropped — Ctrl-C stops`;
  view.start();
  if (io.errIsTty) timers.push(setInterval(() => capture.refreshCounters(), COUNTERS_MS));
  let result;
  let whole = false;
  try {
    result = await capture.done;
    whole = result.error === undefined;
  } finally {
    for (const t of timers) clearTimeout(t);
    options.signal?.removeEventListener('abort', stop);
    feed.end();
    view.finish();
    // A capture that failed leaves no file behind; a stopped one is moved into place whole.
    if (out !== undefined) {
      if (whole) await out.finish();
      else out.destroy();
    }
  }
  const summary: LiveSummary = {
    iface,
    packets: feed.decoder.stats.frames,
    sipMessages: store.messagesSeen - messagesBefore,
    newCalls: seen() - callsBefore,
    dropped: result.counters.dropped,
    limitHits: [...fragmentHits(feed.decoder.defragStats), ...feed.extractor.limitHits()],
  };
  if (result.error !== undefined) throw new CliError(result.error);
  return summary;
}

export function summaryLine(s: LiveSummary): string {
  const dropped = s.dropped === undefined ? '' : `, ${s.dropped} dropped by kernel`;
  return `capture on ${s.iface} stopped: ${s.packets} packets, ${s.sipMessages} SIP messages, ${s.newCalls} new conversations${dropped}`;
}
