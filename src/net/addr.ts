/**
 * IP address text straight from packet bytes, without intermediate arrays:
 * dotted quad for IPv4, RFC 5952 canonical text for IPv6 (lower case, leading
 * zeros dropped, the longest run of two or more zero groups as `::`, leftmost on
 * ties — §4.2; IPv4-mapped addresses with a dotted tail — §5). These run once
 * per emitted payload, so they use plain concatenation and no regex.
 */

export function ipv4String(b: Uint8Array, off: number): string {
  return b[off] + '.' + b[off + 1] + '.' + b[off + 2] + '.' + b[off + 3];
}

export function ipv6String(b: Uint8Array, off: number): string {
  // Find the longest run of zero 16-bit groups (RFC 5952 §4.2.2/§4.2.3).
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const zero = b[off + 2 * g] === 0 && b[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else runStart = -1;
  }
  if (bestLen < 2) bestStart = -1;
  // RFC 5952 §5: ::ffff:a.b.c.d for IPv4-mapped addresses.
  if (bestStart === 0 && bestLen === 5 && b[off + 10] === 0xff && b[off + 11] === 0xff) {
    return '::ffff:' + ipv4String(b, off + 12);
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += g === 0 ? '::' : ':';
      g += bestLen - 1;
      continue;
    }
    s += ((b[off + 2 * g] << 8) | b[off + 2 * g + 1]).toString(16);
    if (g < 7) s += ':';
  }
  return s;
}
