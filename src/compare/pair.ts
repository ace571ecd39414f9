/**
 * Pairs each SIP message of the BEFORE capture with the same message in the
 * AFTER capture.
 *
 * First by identity: Call-ID + CSeq + method/status + top Via branch, the nth
 * sighting with the nth (retransmissions pair in order). That needs no clock,
 * so captures from two machines with an offset pair fine, and the pairs give
 * the offset. Then, for what is left, by content: an ALG that rewrote the
 * Call-ID, tags or branch still leaves CSeq and method/status; among those
 * candidates the one sharing the From tag or most header values, closest in
 * (offset-corrected) time, wins — and the pair says `content`.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeader, getHeaders } from '../sip/headers.js';
import type { PairMatch, Side } from './model.js';

export interface RawPair { before: number; after: number; match: PairMatch }

export interface Pairing { pairs: RawPair[]; onlyBefore: number[]; onlyAfter: number[]; clockOffsetNs: number }

/** How far apart (after removing the clock offset) two sightings of one message may be. */
const CONTENT_WINDOW_NS = 5e9;

export function idKey(m: CapturedMessage): string {
  const msg = m.msg;
  const what = msg.kind === 'request' ? msg.method : String(msg.status);
  const branch = /;\s*branch\s*=\s*([^;,\s]+)/i.exec(getHeader(msg, 'via') ?? '')?.[1] ?? '';
  return `${getHeader(msg, 'call-id') ?? ''}|${cseqOf(m)}|${what}|${branch}`;
}

function cseqOf(m: CapturedMessage): string {
  return (getHeader(m.msg, 'cseq') ?? '').replace(/\s+/g, ' ').trim().toUpperCase();
}

function what(m: CapturedMessage): string {
  return m.msg.kind === 'request' ? m.msg.method : String(m.msg.status);
}

export function timeNs(m: CapturedMessage): number {
  return m.sec * 1e9 + m.nsec;
}

export function fromTag(m: CapturedMessage): string | undefined {
  return /;\s*tag\s*=\s*([^;,\s>]+)/i.exec(getHeader(m.msg, 'from') ?? '')?.[1];
}

/** Share of header values (by name and position) the two messages have in common, 0…1. */
export function similarity(x: CapturedMessage, y: CapturedMessage): number {
  let same = 0, total = 0;
  const names = new Set([...x.msg.headers.map((h) => h.name), ...y.msg.headers.map((h) => h.name)]);
  for (const n of names) {
    const a = getHeaders(x.msg, n), b = getHeaders(y.msg, n);
    const len = Math.max(a.length, b.length);
    total += len;
    for (let i = 0; i < len; i++) if (a[i] !== undefined && a[i] === b[i]) same++;
  }
  const bodySame = x.msg.body.equals(y.msg.body) ? 1 : 0;
  return (same + bodySame) / (total + 1);
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((p, q) => p - q);
  return s[Math.floor(s.length / 2)]!;
}

export function pairMessages(before: Side, after: Side): Pairing {
  const groups = new Map<string, { b: number[]; a: number[] }>();
  const group = (k: string) => { let g = groups.get(k); if (!g) groups.set(k, g = { b: [], a: [] }); return g; };
  before.forEach((m, i) => group(idKey(m)).b.push(i));
  after.forEach((m, j) => group(idKey(m)).a.push(j));
  const usedAfter = new Set<number>();
  const pairs: RawPair[] = [];
  const left: number[] = [];
  const add = (i: number, j: number) => { usedAfter.add(j); pairs.push({ before: i, after: j, match: 'ids' }); };
  // Same number of sightings on both sides: nth with nth; these also give the clock offset.
  const uneven: { b: number[]; a: number[] }[] = [];
  for (const g of groups.values()) {
    if (g.a.length === 0) for (const i of g.b) left.push(i);
    else if (g.b.length === g.a.length) g.b.forEach((i, n) => add(i, g.a[n]!));
    else uneven.push(g);
  }
  const clockOffsetNs = median(pairs.map((p) => timeNs(after[p.after]!) - timeNs(before[p.before]!)));
  // Retransmissions lost on one side: each sighting of the scarcer side takes the nearest in time.
  for (const g of uneven) {
    const fewerAfter = g.a.length < g.b.length;
    const few = fewerAfter ? g.a : g.b, many = fewerAfter ? g.b : g.a;
    const taken = new Set<number>();
    for (const x of few) {
      const tx = fewerAfter ? timeNs(after[x]!) - clockOffsetNs : timeNs(before[x]!) + clockOffsetNs;
      let best = -1;
      for (const y of many) {
        if (taken.has(y)) continue;
        const ty = fewerAfter ? timeNs(before[y]!) : timeNs(after[y]!);
        if (best < 0 || Math.abs(ty - tx) < Math.abs((fewerAfter ? timeNs(before[best]!) : timeNs(after[best]!)) - tx)) best = y;
      }
      taken.add(best);
      if (fewerAfter) add(best, x); else add(x, best);
    }
    if (fewerAfter) for (const i of g.b) if (!taken.has(i)) left.push(i);
  }
  left.sort((p, q) => p - q);

  for (const i of left) {
    const b = before[i]!;
    let best: { j: number; score: number; dt: number } | undefined;
    after.forEach((a, j) => {
      if (usedAfter.has(j) || what(a) !== what(b) || cseqOf(a) !== cseqOf(b)) return;
      const dt = Math.abs(timeNs(a) - timeNs(b) - clockOffsetNs);
      if (pairs.length > 0 && dt > CONTENT_WINDOW_NS) return;
      const tag = fromTag(b);
      const score = similarity(b, a) + (tag !== undefined && tag === fromTag(a) ? 1 : 0);
      if (score < 0.5) return;
      if (!best || score > best.score || (score === best.score && dt < best.dt)) best = { j, score, dt };
    });
    if (best) {
      usedAfter.add(best.j);
      pairs.push({ before: i, after: best.j, match: 'content' });
    }
  }
  pairs.sort((p, q) => p.before - q.before);
  const pairedBefore = new Set(pairs.map((p) => p.before));
  return {
    pairs,
    onlyBefore: before.map((_, i) => i).filter((i) => !pairedBefore.has(i)),
    onlyAfter: after.map((_, j) => j).filter((j) => !usedAfter.has(j)),
    clockOffsetNs,
  };
}
