/**
 * What the filter language matches on, gathered per call as messages arrive:
 * addresses and the numbers in From/To/Diversion/P-Asserted-Identity/
 * P-Preferred-Identity (the store adds the header names).
 */
import { getHeaders, splitList } from '../sip/headers.js';
import { partyNumber } from '../sip/number.js';
import { HeaderCode, type ScannedMessage } from '../sip/scan.js';
import { utf8 } from '../sip/text.js';
import type { CallFacts } from './call.js';
import type { CapturedMessage } from './captured-message.js';
import type { ListInterner } from './intern.js';

/** The list with `value` added once; a new exact-size array (see CallFacts; `concat` sizes exactly, spread and push do not). */
export function withDistinct(list: readonly string[], value: string): readonly string[] {
  return value === '' || list.includes(value) ? list : list.concat([value]);
}

/** Hashes of the last From/To values parsed for a call: most messages repeat them, so parsing is skipped. */
export interface FactsMemo {
  memoFrom: number;
  memoTo: number;
}

function withNumbers(list: readonly string[], values: string[], lists: ListInterner<string>): readonly string[] {
  const before = list;
  for (const v of values) list = withDistinct(list, partyNumber(v));
  return list === before ? list : lists.share(list);
}

export function hashValues(values: string[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 10, 0x01000193);
  }
  return h;
}

export function addFacts(facts: Omit<CallFacts, 'headerNames'>, m: CapturedMessage, memo: FactsMemo, lists: ListInterner<string>): void {
  if (!facts.srcIps.includes(m.srcIp)) facts.srcIps = lists.share(withDistinct(facts.srcIps, m.srcIp));
  if (!facts.dstIps.includes(m.dstIp)) facts.dstIps = lists.share(withDistinct(facts.dstIps, m.dstIp));
  const msg = m.msg;
  let special = false;
  for (const h of msg.headers) {
    const n = h.name;
    if (n === 'diversion' || n === 'p-asserted-identity' || n === 'p-preferred-identity') special = true;
  }
  const from = getHeaders(msg, 'from');
  const fromKey = hashValues(from);
  if (fromKey !== memo.memoFrom) {
    memo.memoFrom = fromKey;
    facts.fromNumbers = withNumbers(facts.fromNumbers, from, lists);
  }
  const to = getHeaders(msg, 'to');
  const toKey = hashValues(to);
  if (toKey !== memo.memoTo) {
    memo.memoTo = toKey;
    facts.toNumbers = withNumbers(facts.toNumbers, to, lists);
  }
  if (!special) return;
  facts.diversion = withNumbers(facts.diversion, getHeaders(msg, 'diversion'), lists);
  facts.pai = withNumbers(facts.pai, getHeaders(msg, 'p-asserted-identity'), lists);
  facts.ppi = withNumbers(facts.ppi, getHeaders(msg, 'p-preferred-identity'), lists);
}

/**
 * `hashValues` of the one value at raw[s, e) (none when s < 0) without decoding
 * it: FNV-1a over ASCII bytes equals FNV-1a over the same UTF-16 code units.
 */
function hashSpan(raw: Buffer, s: number, e: number): number {
  if (s < 0) return 0x811c9dc5;
  let h = 0x811c9dc5;
  let high = 0;
  for (let i = s; i < e; i++) {
    const c = raw[i]!;
    high |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (high >= 0x80) return hashValues([utf8(raw, s, e)]);
  return Math.imul(h ^ 10, 0x01000193);
}

/**
 * Memo key of a From/To value whose number depends on its URI alone: the
 * bytes between `<` and `>` (or up to the first `;` without brackets), so the
 * To tag a dialog gains does not count as a new value. Values with quotes,
 * control or non-ASCII bytes, or `*`, are keyed whole (`hashSpan`). The salt
 * keeps these keys apart from `hashValues` keys of the general path.
 */
function uriKey(raw: Buffer, s: number, e: number): number {
  if (s < 0) return 0x811c9dc5;
  let lt = -1, semi = -1;
  for (let i = s; i < e; i++) {
    const c = raw[i]!;
    if (c < 0x20 || c >= 0x7f || c === 0x22) return hashSpan(raw, s, e);
    if (c === 0x3c && lt < 0) lt = i;
    else if (c === 0x3b && semi < 0) semi = i;
  }
  if (e - s === 1 && raw[s] === 0x2a) return hashSpan(raw, s, e);
  let us = s, ue = semi < 0 ? e : semi;
  if (lt >= 0) {
    us = lt + 1;
    ue = raw.indexOf(0x3e, us);
    if (ue < 0 || ue > e) ue = e;
  }
  let h = 0x9e3779b9;
  for (let i = us; i < ue; i++) h = Math.imul(h ^ raw[i]!, 0x01000193);
  return h;
}

/**
 * Sets the From/To memo to the keys of a scanned message whose numbers the call
 * already holds (the store opens a call with the first message's From and To
 * numbers): `addScannedFacts` then skips parsing the same values again.
 */
export function primeScannedMemo(memo: FactsMemo, s: ScannedMessage): void {
  memo.memoFrom = uriKey(s.raw, s.fromS, s.fromE);
  memo.memoTo = uriKey(s.raw, s.toS, s.toE);
}

/** `addFacts` for a clean scanned message: the same facts, read from byte spans. */
export function addScannedFacts(
  facts: Omit<CallFacts, 'headerNames'>, m: CapturedMessage, s: ScannedMessage, memo: FactsMemo, lists: ListInterner<string>,
): void {
  if (!facts.srcIps.includes(m.srcIp)) facts.srcIps = lists.share(withDistinct(facts.srcIps, m.srcIp));
  if (!facts.dstIps.includes(m.dstIp)) facts.dstIps = lists.share(withDistinct(facts.dstIps, m.dstIp));
  const raw = s.raw;
  const fromKey = uriKey(raw, s.fromS, s.fromE);
  if (fromKey !== memo.memoFrom) {
    memo.memoFrom = fromKey;
    if (s.fromS >= 0) facts.fromNumbers = withNumbers(facts.fromNumbers, [utf8(raw, s.fromS, s.fromE)], lists);
  }
  const toKey = uriKey(raw, s.toS, s.toE);
  if (toKey !== memo.memoTo) {
    memo.memoTo = toKey;
    if (s.toS >= 0) facts.toNumbers = withNumbers(facts.toNumbers, [utf8(raw, s.toS, s.toE)], lists);
  }
  const extra = s.extra;
  if (extra === null) return;
  facts.diversion = withCachedNumbers(facts.diversion, extraValues(raw, extra, HeaderCode.DIVERSION), lists);
  facts.pai = withCachedNumbers(facts.pai, extraValues(raw, extra, HeaderCode.PAI), lists);
  facts.ppi = withCachedNumbers(facts.ppi, extraValues(raw, extra, HeaderCode.PPI), lists);
}

/**
 * `partyNumber` by header value for Diversion / P-Asserted-Identity /
 * P-Preferred-Identity, which (unlike From/To, whose tags differ per call)
 * repeat the same few values in every message of a call. Bounded: emptied when full.
 */
const extraNumbers = new Map<string, string>();
const EXTRA_NUMBERS_LIMIT = 16384;

function cachedPartyNumber(value: string): string {
  let n = extraNumbers.get(value);
  if (n === undefined) {
    n = partyNumber(value);
    if (extraNumbers.size >= EXTRA_NUMBERS_LIMIT) extraNumbers.clear();
    extraNumbers.set(value, n);
  }
  return n;
}

/** `withNumbers` through `cachedPartyNumber`. */
function withCachedNumbers(list: readonly string[], values: string[], lists: ListInterner<string>): readonly string[] {
  const before = list;
  for (const v of values) list = withDistinct(list, cachedPartyNumber(v));
  return list === before ? list : lists.share(list);
}

/** `getHeaders` of one of the list headers kept as spans. */
function extraValues(raw: Buffer, extra: number[], code: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < extra.length; i += 3) {
    if (extra[i] === code) for (const v of splitList(utf8(raw, extra[i + 1]!, extra[i + 2]!))) out.push(v);
  }
  return out;
}
