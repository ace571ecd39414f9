/**
 * What the network layer hands to the SIP layer: one transport payload with its
 * addresses, after link decoding, tunnel unwrapping and IP defragmentation.
 * TCP payloads are still segments here; `net/tcp-stream` turns them into ordered
 * byte streams per direction.
 */
export type Transport = 'udp' | 'tcp' | 'sctp';

export interface TcpInfo {
  seq: number;
  ack: number;
  syn: boolean;
  fin: boolean;
  rst: boolean;
}

export interface TransportPayload {
  /** Frame index of the packet that completed this payload (last fragment). */
  frame: number;
  /** Every fragment's frame when the payload was reassembled from IP fragments. */
  frames?: number[] | undefined;
  sec: number;
  nsec: number;
  /** Innermost IP addresses as text: dotted IPv4 or RFC 5952 IPv6. */
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  transport: Transport;
  payload: Buffer;
  /** Present for TCP segments. */
  tcp?: TcpInfo;
  /** SCTP payload protocol identifier of the DATA chunk. */
  sctpPpid?: number;
  /** Tunnels passed through, outermost first, e.g. ['gre', 'erspan'] — for views only. */
  tunnels?: string[];
  /** Set when the payload was unwrapped from HEP: what the agent said about it. */
  hep?: HepMeta;
}

export interface HepMeta {
  version: number;
  /** The agent's capture time of the original packet (the record's sec/nsec are the frame's). */
  sec: number;
  usec: number;
  captureId?: number;
  correlationId?: string;
}

/** Canonical key shared by both directions of a flow (STYLE.md principle 8). */
export function flowKey(p: Pick<TransportPayload, 'srcIp' | 'dstIp' | 'srcPort' | 'dstPort' | 'transport'>): string {
  const a = `${p.srcIp}|${p.srcPort}`;
  const b = `${p.dstIp}|${p.dstPort}`;
  return a < b ? `${p.transport}|${a}|${b}` : `${p.transport}|${b}|${a}`;
}

/** Key of one direction of a flow. */
export function directionKey(p: Pick<TransportPayload, 'srcIp' | 'dstIp' | 'srcPort' | 'dstPort' | 'transport'>): string {
  return `${p.transport}|${p.srcIp}|${p.srcPort}|${p.dstIp}|${p.dstPort}`;
}

/** `ip:port`, with IPv6 in brackets as SIP and URLs write it. */
export function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
