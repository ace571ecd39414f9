/**
 * Compact header names and the canonical (lower-case long) name of any header.
 *
 * RFC 3261 §7.3.3 lets a sender replace some header names with one letter;
 * §7.3.1 makes header names case-insensitive. The parser stores every header
 * under one canonical spelling so later code asks for `call-id` once instead of
 * `Call-ID`, `call-id` and `i`. The letters come from the IANA "Header Fields"
 * registry (RFC 3261, 3265, 3515, 3841, 3892, 4474, 4538, 3329-era drafts).
 */

/** Compact letter → canonical long name (both lower-case). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = Object.freeze({
  a: 'accept-contact',        // RFC 3841
  b: 'referred-by',           // RFC 3892
  c: 'content-type',
  d: 'request-disposition',   // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',        // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',         // RFC 4474
  o: 'event',                 // RFC 6665
  r: 'refer-to',              // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events',          // RFC 6665
  v: 'via',
  x: 'session-expires',       // RFC 4028
  y: 'identity',              // RFC 4474
});

// Header names repeat endlessly across messages (Via, From, To ...), so the
// lower-casing and compact lookup is memoised. The cache is bounded because
// hostile input can invent unlimited names; past the bound we just compute.
const CACHE_LIMIT = 2048;
const cache = new Map<string, string>();

/** Canonical name for a header name as written: lower-case, compact letters expanded. */
export function canonicalName(rawName: string): string {
  const hit = cache.get(rawName);
  if (hit !== undefined) return hit;
  const lower = rawName.toLowerCase();
  const name = lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
  if (cache.size < CACHE_LIMIT) cache.set(rawName, name);
  return name;
}

/** The compact letter for a canonical name, if it has one (for display and tests). */
export function compactLetter(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const letter in COMPACT_FORMS) if (COMPACT_FORMS[letter] === lower) return letter;
  return undefined;
}
