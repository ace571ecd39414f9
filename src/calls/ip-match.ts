/**
 * How an `srcip` / `dstip` / `ip` filter value matches an address: exactly,
 * as a text prefix when it ends in `*` (`192.168.1.*`, the original shell's
 * form), or as a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). CIDR compares
 * addresses, not text, so `10.1.2.3` is inside `10.0.0.0/8` however it is
 * written; `net.BlockList` does the bit arithmetic for both families.
 */
import { BlockList, isIP } from 'node:net';

export class IpValueError extends Error {}

export function ipMatcher(value: string): (candidate: string) => boolean {
  const slash = value.indexOf('/');
  if (slash < 0) {
    if (value.endsWith('*')) {
      const prefix = value.slice(0, -1).toLowerCase();
      return (c) => c.toLowerCase().startsWith(prefix);
    }
    const exact = value.toLowerCase();
    return (c) => c.toLowerCase() === exact;
  }
  const base = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(base);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > max) {
    throw new IpValueError(`'${value}' is not a CIDR block (e.g. 10.0.0.0/8 or 2001:db8::/32)`);
  }
  const block = new BlockList();
  block.addSubnet(base, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  // Answers remembered per address: 270 000 calls share a few thousand addresses, and
  // each check parses the address again (1.8 s per filter at 1 GB without this).
  const seen = new Map<string, boolean>();
  return (c) => {
    let hit = seen.get(c);
    if (hit === undefined) {
      const f = isIP(c);
      hit = f !== 0 && block.check(c, f === 4 ? 'ipv4' : 'ipv6');
      if (seen.size >= SEEN_LIMIT) seen.clear();
      seen.set(c, hit);
    }
    return hit;
  };
}

/** Bound on remembered answers per matcher (hostile captures can hold endless addresses). */
const SEEN_LIMIT = 65536;
