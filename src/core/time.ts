/**
 * Absolute capture time as whole seconds since the epoch plus nanoseconds.
 * Two integers instead of a float or bigint: a float loses nanoseconds,
 * a bigint is slow on the per-packet path (STYLE.md principle 8: absolute time).
 */
export interface Timestamp {
  sec: number;
  nsec: number;
}

/** Orders two timestamps: negative when a is earlier. */
export function compareTime(a: Timestamp, b: Timestamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

/** Seconds from a to b as a float (for relative times in views). */
export function secondsBetween(a: Timestamp, b: Timestamp): number {
  return b.sec - a.sec + (b.nsec - a.nsec) / 1e9;
}

/** The last two seconds formatted: a call list alternates between each call's start and end second. */
let sec0 = NaN, base0 = '', sec1 = NaN, base1 = '';

/**
 * ISO 8601 in UTC with microseconds, e.g. `2018-04-16T15:49:30.333525Z`;
 * nanoseconds are shown only when the capture carried them.
 */
export function toIso(t: Timestamp): string {
  // Listing 270 000 calls formats 540 000 times, mostly a few per second of capture.
  let base: string;
  if (t.sec === sec0) base = base0;
  else if (t.sec === sec1) base = base1;
  else {
    base = new Date(t.sec * 1000).toISOString().slice(0, 19);
    sec1 = sec0; base1 = base0;
    sec0 = t.sec; base0 = base;
  }
  const frac = t.nsec % 1000 === 0
    ? String(t.nsec / 1000).padStart(6, '0')
    : String(t.nsec).padStart(9, '0');
  return `${base}.${frac}Z`;
}
