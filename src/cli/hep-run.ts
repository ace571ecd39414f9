/**
 * One HEP collector run into a call store, as `sipv hep` runs it (and a shell
 * command could): listens, feeds each packet through the collector into the
 * store and, with `-w FILE`, into a pcap; shows a status line on a terminal;
 * stops on the caller's AbortSignal (Ctrl-C), `--duration` or `--count`;
 * flushes the file and returns the numbers for the summary.
 */
import { HepListener, type BoundAddress, type ListenAddress } from '../capture/hep-listener.js';
import { PcapWriter } from '../capture/pcap-writer.js';
import type { CallStore } from '../calls/store.js';
import type { LimitHit, Limits } from '../core/limits.js';
import { HepCollector, type HepCollectStats } from '../ingest/hep-collect.js';
import { CliError, type Io } from './io.js';
import { defaultLimits, watchCallsCap } from './limit-options.js';
import { LiveView } from './live-view.js';
import { openOutput } from './output-file.js';

export interface HepRunOptions {
  udp: ListenAddress[];
  tcp: ListenAddress[];
  authKey?: string;
  writeFile?: string;
  /** `-w` may replace an existing file (--force). */
  force?: boolean;
  durationSec?: number;
  /** Stop after this many packets received (good or not). */
  count?: number;
  signal?: AbortSignal;
  source?: number;
  /** Called once every socket is bound (tests and callers learn ephemeral ports here). */
  onListening?: (bound: BoundAddress[]) => void;
  /** One NDJSON line per call as it completes, on stdout (when stdout is not a terminal). */
  ndjson?: boolean;
  /** Idle time after which an open call counts as complete for `ndjson`. */
  idleSec?: number;
  /** Hostile-input limits: the header limits apply to each SIP message; the calls cap is the store's own. */
  limits?: Limits;
}

export interface HepSummary extends HepCollectStats {
  bound: BoundAddress[];
  newCalls: number;
  /** TCP connections refused at the connection cap. */
  rejectedConnections: number;
  /** Listener protections that fired: connections timed out, packets too large, packets over a peer's rate. */
  timedOutConnections: number;
  oversized: number;
  rateLimited: number;
  /** Packets written to `-w`, and SIP not written (file lagging behind, or not representable). */
  written: number;
  notWritten: number;
  /** What each limit that was reached cut (one warning line each, `reportRunLimits`). */
  limitHits: LimitHit[];
}

/** A file that falls this far behind loses packets rather than memory. */
const MAX_UNWRITTEN = 32 << 20;

export async function runHepCollector(store: CallStore, o: HepRunOptions, io: Io): Promise<HepSummary> {
  const out = o.writeFile === undefined ? undefined : await openOutput(o.writeFile, { force: o.force === true });
  let notWritten = 0;
  const pcap = out === undefined ? undefined : new PcapWriter((b) => { out.write(b); });
  const limits = o.limits ?? defaultLimits();
  // Calls seen, counting those the calls cap summarised since.
  const seen = (): number => store.size + store.summarised.calls;
  const callsBefore = seen();
  let status = (): string => '';
  const view = new LiveView(store, io, {
    ndjson: o.ndjson ?? false,
    rows: io.outIsTty,
    status: () => status(),
    ...(o.idleSec === undefined ? {} : { idleMs: o.idleSec * 1000 }),
    maxTracked: limits.maxCalls,
  });
  // Said once, the moment the calls cap first summarises a call (the end of the run says how many).
  const capCheck = watchCallsCap(store, limits, (line) => view.notice(line));
  const collector = new HepCollector({
    ...(o.authKey === undefined ? {} : { authKey: o.authKey }),
    source: o.source ?? 0,
    parse: { maxHeaders: limits.maxHeaders, maxHeaderBytes: limits.maxHeaderBytes },
    onMessage: (m) => {
      store.add(m);
      view.observe(m);
      capCheck();
    },
    ...(pcap === undefined ? {} : {
      onPayload: (p) => {
        if (out!.writableLength > MAX_UNWRITTEN || p.transport === 'sctp') notWritten++;
        else pcap.packet({ ...p, transport: p.transport });
      },
    }),
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  let done = false;
  const listener = new HepListener({
    udp: o.udp,
    tcp: o.tcp,
    onPacket: (packet) => {
      if (done) return;
      collector.push(packet, now());
      if (o.count !== undefined && collector.stats.packets >= o.count) { done = true; stop(); }
    },
    onJunk: (runs) => { if (!done) collector.junk(runs); },
  });
  let bound: BoundAddress[];
  try {
    bound = await listener.start();
  } catch (e) {
    out?.destroy();
    throw new CliError((e as Error).message);
  }
  o.onListening?.(bound);
  const onAbort = (): void => stop();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) stop();
  const timers: NodeJS.Timeout[] = [];
  if (o.durationSec !== undefined) timers.push(setTimeout(stop, o.durationSec * 1000));
  const where = bound.map(describe).join(', ');
  status = () => `HEP on ${where}: ${statusCounts(collector.stats, seen() - callsBefore)} — Ctrl-C stops`;
  view.start();
  try {
    await stopped;
  } finally {
    done = true;
    for (const t of timers) clearTimeout(t);
    o.signal?.removeEventListener('abort', onAbort);
    await listener.close();
    view.finish();
    if (out !== undefined) await out.finish();
  }
  return {
    ...collector.stats,
    bound,
    newCalls: seen() - callsBefore,
    rejectedConnections: listener.stats.tcpRejected,
    timedOutConnections: listener.stats.tcpTimedOut,
    oversized: listener.stats.oversized,
    rateLimited: listener.stats.rateLimited,
    written: pcap?.stats.packets ?? 0,
    notWritten: notWritten + (pcap?.stats.skipped ?? 0),
    limitHits: collector.limitHits(),
  };
}

function now(): { sec: number; nsec: number } {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 };
}

export function describe(b: BoundAddress): string {
  return `${b.transport} ${b.host.includes(':') ? `[${b.host}]` : b.host}:${b.port}`;
}

function statusCounts(s: HepCollectStats, calls: number): string {
  return `${s.packets} packets, ${s.sipMessages} SIP messages, ${calls} calls, ` +
    `dropped: ${s.malformed} malformed, ${s.badAuth} bad auth, ${s.notSip} non-SIP`;
}

export function hepSummaryLine(s: HepSummary): string {
  const refused = (s.rejectedConnections > 0 ? `, ${s.rejectedConnections} connections refused` : '') +
    (s.timedOutConnections > 0 ? `, ${s.timedOutConnections} connections timed out` : '') +
    (s.oversized > 0 ? `, ${s.oversized} oversized packets refused` : '') +
    (s.rateLimited > 0 ? `, ${s.rateLimited} packets over a peer's rate limit` : '');
  return `HEP collector stopped: ${s.packets} packets, ${s.sipMessages} SIP messages, ${s.newCalls} new conversations; ` +
    `dropped: ${s.malformed} malformed, ${s.badAuth} bad auth, ${s.notSip} non-SIP${refused}`;
}
