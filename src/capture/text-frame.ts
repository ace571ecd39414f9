/**
 * Builds the raw IPv4/IPv6 + UDP/TCP bytes for a packet read from a text dump, so the
 * network layer decodes text captures exactly like pcap ones (LINKTYPE_RAW). Fields the
 * dump did not print are filled with neutral values: TTL 64, IPv4 id 0 unless `-v` gave
 * it, checksums 0 except the IPv4 header checksum (which is cheap and keeps validators quiet).
 */

export interface SynthPacket {
  v6: boolean;
  src: Uint8Array;
  dst: Uint8Array;
  proto: 'udp' | 'tcp';
  srcPort: number;
  dstPort: number;
  /** Payload bytes, written by `writePayload` into the packet at `at`. */
  payloadLength: number;
  writePayload: (out: Buffer, at: number) => void;
  tcp?: { seq: number; ack: number; flags: string };
  /** IPv4 fragment fields (`-v` output); a non-first fragment carries no transport header. */
  frag?: { id: number; offset: number; more: boolean; udpLength?: number };
}

export function buildIpPacket(p: SynthPacket): Buffer {
  const withTransport = !p.frag || p.frag.offset === 0;
  const thLen = !withTransport ? 0 : p.proto === 'udp' ? 8 : 20;
  const ipLen = p.v6 ? 40 : 20;
  const payloadLen = p.payloadLength;
  // allocUnsafe: small packets come from Node's shared pool. The headers are zeroed here and
  // every payload byte is written below, so no stale memory shows.
  const buf = Buffer.allocUnsafe(ipLen + thLen + payloadLen);
  buf.fill(0, 0, ipLen + thLen);
  const protoNum = p.proto === 'udp' ? 17 : 6;
  if (p.v6) {
    buf.writeUInt32BE(0x60000000, 0);
    buf.writeUInt16BE(thLen + payloadLen, 4);
    buf[6] = protoNum;
    buf[7] = 64;
    buf.set(p.src, 8);
    buf.set(p.dst, 24);
  } else {
    buf[0] = 0x45;
    buf.writeUInt16BE(buf.length, 2);
    if (p.frag) {
      buf.writeUInt16BE(p.frag.id & 0xffff, 4);
      buf.writeUInt16BE(((p.frag.offset >> 3) & 0x1fff) | (p.frag.more ? 0x2000 : 0), 6);
    }
    buf[8] = 64;
    buf[9] = protoNum;
    buf.set(p.src, 12);
    buf.set(p.dst, 16);
    buf.writeUInt16BE(ipv4Checksum(buf), 10);
  }
  if (withTransport) {
    const t = ipLen;
    buf.writeUInt16BE(p.srcPort, t);
    buf.writeUInt16BE(p.dstPort, t + 2);
    if (p.proto === 'udp') buf.writeUInt16BE(Math.min(0xffff, p.frag?.udpLength ?? 8 + payloadLen), t + 4);
    else writeTcp(buf, t, p.tcp ?? { seq: 0, ack: 0, flags: '' });
  }
  p.writePayload(buf, ipLen + thLen);
  return buf;
}

/** tcpdump flag letters: S SYN, F FIN, R RST, P PSH, U URG, `.` ACK. */
function writeTcp(buf: Buffer, t: number, tcp: { seq: number; ack: number; flags: string }): void {
  buf.writeUInt32BE(tcp.seq >>> 0, t + 4);
  buf.writeUInt32BE(tcp.ack >>> 0, t + 8);
  buf[t + 12] = 5 << 4;
  let f = 0;
  for (const ch of tcp.flags) {
    if (ch === 'F') f |= 0x01;
    else if (ch === 'S') f |= 0x02;
    else if (ch === 'R') f |= 0x04;
    else if (ch === 'P') f |= 0x08;
    else if (ch === '.') f |= 0x10;
    else if (ch === 'U') f |= 0x20;
  }
  buf[t + 13] = f;
  buf.writeUInt16BE(65535, t + 14);
}

function ipv4Checksum(buf: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += buf.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Dotted IPv4 or RFC 4291 text IPv6 to bytes; undefined if it is neither (e.g. a host name). */
export function parseAddress(s: string, v6: boolean): Uint8Array | undefined {
  if (!v6) {
    const parts = s.split('.');
    if (parts.length !== 4) return undefined;
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(parts[i]);
      if (!/^\d{1,3}$/.test(parts[i]) || n > 255) return undefined;
      out[i] = n;
    }
    return out;
  }
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return undefined;
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = parseAddress(v4[1], false);
    if (!b) return undefined;
    text = s.slice(0, v4.index) + ((b[0] << 8) | b[1]).toString(16) + ':' + ((b[2] << 8) | b[3]).toString(16);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return undefined;
    const n = parseInt(groups[i], 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  return out;
}
