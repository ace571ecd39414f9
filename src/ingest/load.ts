/**
 * Reads capture inputs into a call store: capture reader → packet decoder →
 * SIP extractor → store, one input after the other. Returns what each input
 * yielded and what was wrong with it, so the CLI can say it in one line each.
 */
import type { Issue } from '../core/issue.js';
import { DEFAULT_LIMITS, type LimitHit, type Limits } from '../core/limits.js';
import { readCapture, type ReadResult } from '../capture/source.js';
import type { NetStats, PacketDecoder } from '../net/decode.js';
import type { CallStore } from '../calls/store.js';
import type { ExtractStats } from './extract.js';
import { createFeed } from './feed.js';
import { DSB_TLS_KEY_LOG, KeyLog } from '../tls/keylog.js';

export interface InputReport {
  file: string;
  format: string;
  compressed: boolean;
  bytes: number;
  frames: number;
  stats: ExtractStats;
  net: NetStats;
  /** Capture, network and SIP-framing issues, in that order. */
  issues: Issue[];
  /** What each limit that was reached cut from this input (one warning line each). */
  limitHits: LimitHit[];
  /** Set when reading stopped early: the input is damaged or not a capture. */
  fatal?: Issue;
  /** Set when the input could not be opened at all. */
  error?: string;
}

export interface LoadOptions {
  onProgress?: (file: string, bytesRead: number, total: number | undefined) => void;
  /** TLS secrets (--keylog, SSLKEYLOGFILE); a pcapng's own Decryption Secrets Blocks are added per input. */
  keylog?: KeyLog;
  /** `source` number of the first input (the shell adds loads to a session): default 0. */
  firstSource?: number;
  /** Hostile-input limits (--max-…); the defaults when absent. */
  limits?: Limits;
}

export async function loadInputs(files: string[], store: CallStore, options: LoadOptions = {}): Promise<InputReport[]> {
  const reports: InputReport[] = [];
  const first = options.firstSource ?? 0;
  for (let i = 0; i < files.length; i++) {
    reports.push(await loadInput(files[i]!, first + i, store, options));
  }
  return reports;
}

async function loadInput(file: string, source: number, store: CallStore, options: LoadOptions): Promise<InputReport> {
  const keylog = new KeyLog(options.keylog);
  const feed = createFeed(store, source, keylog, options.limits ?? DEFAULT_LIMITS);
  const { decoder, extractor } = feed;
  const onProgress = options.onProgress;
  const read: ReadResult = await readCapture(file, feed.frame, {
    onProgress: onProgress && ((done, total) => onProgress(file, done, total)),
    onSecrets: (s) => { if (s.type === DSB_TLS_KEY_LOG) keylog.addText(s.data.toString('latin1'), `${file}: Decryption Secrets Block`); },
  });
  feed.end();
  const report: InputReport = {
    file,
    format: read.format,
    compressed: read.compressed,
    bytes: read.bytes,
    frames: read.frames,
    stats: extractor.stats,
    net: decoder.stats,
    issues: [...read.issues, ...decoder.issues, ...extractor.issues],
    limitHits: [...fragmentHits(decoder.defragStats), ...extractor.limitHits()],
  };
  if (read.fatal !== undefined) report.fatal = read.fatal;
  if (read.error !== undefined) report.error = read.error;
  return report;
}

/** IP reassembly limits reached: datagrams dropped incomplete, by the limit that dropped them. */
export function fragmentHits(s: PacketDecoder['defragStats']): LimitHit[] {
  const hits: LimitHit[] = [];
  const noun = ['fragmented datagram dropped incomplete', 'fragmented datagrams dropped incomplete'] as const;
  const forBytes = s.evicted - s.evictedForCount;
  // Bytes are the fragments' total; split between the two limits only when one of them was reached.
  const bytes = (n: number): number | undefined => (n === s.evicted ? s.evictedBytes : undefined);
  const withBytes = (hit: LimitHit, n: number): LimitHit => { const b = bytes(n); return b === undefined ? hit : { ...hit, bytes: b }; };
  if (s.evictedForCount > 0) hits.push(withBytes({ key: 'maxFragments', count: s.evictedForCount, noun, why: 'more than {limit} waiting for fragments' }, s.evictedForCount));
  if (forBytes > 0) hits.push(withBytes({ key: 'maxFragmentBytes', count: forBytes, noun, why: 'more than {limit} of fragments held' }, forBytes));
  return hits;
}
