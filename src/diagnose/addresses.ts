/**
 * What kind of address a host is, as far as NAT is concerned. Classification
 * is delegated to `ipaddr.js` (pinned) rather than hand-rolled regexes; this
 * file only maps its range names onto the realms the NAT rules reason about.
 *
 * - behind NAT (never routable on the Internet): RFC 1918 private, RFC 6598
 *   CGNAT (100.64/10), link-local (RFC 3927 / fe80::/10), unique-local IPv6
 *   (RFC 4193 fc00::/7).
 * - documentation ranges (RFC 5737, RFC 3849) stand in for public addresses in
 *   examples and in our lab, so they count as public here.
 * - loopback, unspecified (c=0.0.0.0 means hold, RFC 3264 §8.4) and multicast
 *   are neither: rules leave them alone.
 * Hostnames are `name`: they cannot be compared to a packet address without
 * DNS, so rules never conclude anything from them.
 */
import ipaddr from 'ipaddr.js';

export type AddressKind =
  | 'public' | 'documentation' | 'private' | 'cgnat' | 'link-local' | 'unique-local'
  | 'loopback' | 'unspecified' | 'multicast' | 'reserved' | 'name';

const DOCUMENTATION = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map((c) => ipaddr.parseCIDR(c));

/** Parse a literal IPv4 (dotted quad only) or IPv6 address; IPv4-mapped IPv6 is unwrapped. */
// The same few thousand addresses are asked about for every message; parse each once.
const parsed = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();
const PARSED_LIMIT = 100_000;

function parse(host: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  let a = parsed.get(host);
  if (a === undefined) {
    a = parseUncached(host) ?? null;
    if (parsed.size < PARSED_LIMIT) parsed.set(host, a);
  }
  return a ?? undefined;
}

function parseUncached(host: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // ipaddr.isValid accepts `1.2.3` and `010.1.1.1` (inet_aton forms); SIP hosts are dotted quads.
  if (!ipaddr.IPv4.isValidFourPartDecimal(h) && !(h.includes(':') && ipaddr.IPv6.isValid(h))) return undefined;
  return ipaddr.process(h);
}

export function isIpLiteral(host: string): boolean {
  return parse(host) !== undefined;
}

/** Canonical text of an address so `::ffff:10.0.0.1`, `[fd00::1]` and `fd00:0::1` compare equal. */
export function normaliseIp(host: string): string {
  const a = parse(host);
  if (a === undefined) return host.toLowerCase();
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toNormalizedString() : a.toString();
}

export function sameIp(a: string, b: string): boolean {
  return normaliseIp(a) === normaliseIp(b);
}

export function classify(host: string): AddressKind {
  const a = parse(host);
  if (a === undefined) return 'name';
  for (const cidr of DOCUMENTATION) {
    if (cidr[0].kind() === a.kind() && a.match(cidr)) return 'documentation';
  }
  switch (a.range()) {
    case 'unicast': return 'public';
    case 'private': return 'private';
    case 'carrierGradeNat': return 'cgnat';
    case 'linkLocal': return 'link-local';
    case 'uniqueLocal': return 'unique-local';
    case 'loopback': return 'loopback';
    case 'unspecified': return 'unspecified';
    case 'multicast': case 'broadcast': return 'multicast';
    default: return 'reserved';
  }
}

/** An address that only exists behind a NAT: a phone announcing it cannot be reached from outside. */
export function isBehindNat(host: string): boolean {
  const k = classify(host);
  return k === 'private' || k === 'cgnat' || k === 'link-local' || k === 'unique-local';
}

export function isPublicLike(host: string): boolean {
  const k = classify(host);
  return k === 'public' || k === 'documentation';
}

/**
 * True when a packet from `source` carrying the internal address `inner`
 * crossed a NAT: the source is public, or it is a CGNAT address while the
 * inner one is a home-network (RFC 1918 / link-local / ULA) address — what a
 * capture at the carrier side of a CGN sees. Two RFC 1918 addresses are one
 * private network (or a proxy inside it), not evidence of NAT.
 */
export function crossedNat(inner: string, source: string): boolean {
  if (!isBehindNat(inner) || sameIp(inner, source)) return false;
  if (isPublicLike(source)) return true;
  return classify(source) === 'cgnat' && classify(inner) !== 'cgnat';
}
