/**
 * ICMP error messages quote the start of the packet that caused them (RFC 792,
 * RFC 4443 §2.4). tshark dissects the quoted UDP payload and so lists a SIP
 * message there; it is not a message that was sent again, so we count such
 * errors and skip them rather than emit the quoted bytes.
 */
import { IpProto } from './ip.js';

/** True for ICMP Destination Unreachable, Source Quench, Redirect, Time Exceeded, Parameter Problem. */
export function isIcmpError(protocol: number, type: number): boolean {
  if (protocol === IpProto.ICMP) return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
  if (protocol === IpProto.ICMPV6) return type >= 1 && type <= 4;
  return false;
}
