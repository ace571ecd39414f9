/**
 * Fast byte → string decoding for the parser's hot path.
 *
 * `buf.toString(enc, s, e)` spends most of its time in argument checks and
 * encoding look-up before the native slice. Node's Buffer has had the native
 * `latin1Slice`/`utf8Slice` methods since its first releases (undocumented,
 * so they are feature-detected once with `toString` as the fallback).
 * Header names are interned by their exact bytes: the same few dozen names
 * repeat in every message, and matching bytes against a cached entry is
 * cheaper than decoding and hashing a fresh string each time.
 */
import { canonicalName } from './compact.js';

interface NativeSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}
const native = typeof (Buffer.prototype as unknown as Partial<NativeSlices>).utf8Slice === 'function' &&
  typeof (Buffer.prototype as unknown as Partial<NativeSlices>).latin1Slice === 'function';

export const latin1 = native
  ? (b: Buffer, s: number, e: number): string => (b as unknown as NativeSlices).latin1Slice(s, e)
  : (b: Buffer, s: number, e: number): string => b.toString('latin1', s, e);

export const utf8 = native
  ? (b: Buffer, s: number, e: number): string => (b as unknown as NativeSlices).utf8Slice(s, e)
  : (b: Buffer, s: number, e: number): string => b.toString('utf8', s, e);

export interface Interned {
  bytes: Uint8Array;
  rawName: string;
  name: string;
  /** Position in the cache, the same for every message: -1 for a name that was not cached. */
  gid: number;
}
// Keyed by an FNV-1a hash of the exact bytes; collisions fall back to decoding.
// Bounded: hostile input may invent unlimited names.
const INTERN_LIMIT = 1024;
const interned = new Map<number, Interned>();

/** FNV-1a step, exported so the parser can hash while it scans a name. */
export function fnv(h: number, byte: number): number {
  return Math.imul(h ^ byte, 0x01000193);
}
export const FNV_START = 0x811c9dc5;

/** `[rawName, canonical name]` for buf[s, e) whose FNV-1a hash is `h`. */
export function internName(buf: Buffer, s: number, e: number, h: number): Interned {
  const hit = interned.get(h);
  if (hit !== undefined && hit.bytes.length === e - s) {
    const bytes = hit.bytes;
    let i = 0;
    while (i < bytes.length && bytes[i] === buf[s + i]) i++;
    if (i === bytes.length) return hit;
  }
  const rawName = latin1(buf, s, e);
  const cache = hit === undefined && interned.size < INTERN_LIMIT;
  const entry = { bytes: Uint8Array.prototype.slice.call(buf, s, e), rawName, name: canonicalName(rawName), gid: cache ? interned.size : -1 };
  if (cache) interned.set(h, entry);
  return entry;
}
