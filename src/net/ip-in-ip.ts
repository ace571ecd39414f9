/**
 * IP-in-IP tunnels: IPv4 (protocol 4, RFC 2003) or IPv6 (protocol 41, RFC 4213
 * 6in4 and RFC 2473) carried directly as the payload of an outer IP header.
 * There is no tunnel header; the inner packet starts at the outer payload.
 */
import { IpProto } from './ip.js';

/** IP version of the inner packet for an outer protocol number, or 0 when not a tunnel. */
export function ipInIpVersion(protocol: number): 0 | 4 | 6 {
  if (protocol === IpProto.IPIP) return 4;
  if (protocol === IpProto.IPV6) return 6;
  return 0;
}

/** Tunnel name recorded in `TransportPayload.tunnels`. */
export function ipInIpName(protocol: number): string {
  return protocol === IpProto.IPIP ? 'ipip' : '6in4';
}
