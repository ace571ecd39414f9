/**
 * Writes SIP messages the way `tcpdump -nn -tttt -A` prints packets, so the
 * file reads like a familiar dump and loads again through our text reader
 * (capture/text.ts) — and through the original SIPvestigator's.
 *
 * One packet per SIP message, with only the payload printed (no IP header
 * noise) and `length N` on the packet line so the reader finds the payload
 * start exactly. What `-A` cannot carry is lost here too, on purpose (tcpdump
 * print-ascii.c): CR before LF is dropped, other non-printable bytes and bytes
 * ≥ 0x80 become `.`; a reload therefore gives back ASCII messages byte for
 * byte, while UTF-8 display names come back as dots. Times are UTC (`-tttt`
 * under TZ=UTC). TCP gets consecutive sequence numbers per direction; WebSocket,
 * TLS and SCTP messages are written as the SIP they carry over TCP or UDP.
 */
import type { CapturedMessage } from '../../calls/captured-message.js';
import { toIso } from '../../core/time.js';

export class TcpdumpTextWriter {
  private readonly nextSeq = new Map<string, number>();
  packets = 0;

  constructor(private readonly write: (text: string) => void) {}

  message(m: CapturedMessage): void {
    const raw = m.msg.raw;
    const time = toIso(m).replace('T', ' ').replace('Z', '');
    const v6 = m.srcIp.includes(':');
    const addrs = `${m.srcIp}.${m.srcPort} > ${m.dstIp}.${m.dstPort}`;
    const tcp = m.transport === 'tcp' || m.transport === 'ws' || m.transport === 'tls';
    let detail: string;
    if (tcp) {
      const key = `${m.srcIp}|${m.srcPort}|${m.dstIp}|${m.dstPort}`;
      const seq = this.nextSeq.get(key) ?? 1;
      this.nextSeq.set(key, seq + raw.length);
      detail = `Flags [P.], seq ${seq}:${seq + raw.length}, ack 1, win 65535, length ${raw.length}`;
    } else {
      detail = `UDP, length ${raw.length}`;
    }
    this.write(`${time} ${v6 ? 'IP6' : 'IP'} ${addrs}: ${detail}\n${asciiDump(raw)}\n`);
    this.packets++;
  }
}

/** tcpdump's `-A` rendering of payload bytes (print-ascii.c `ascii_print`). */
export function asciiDump(b: Buffer): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x0d && b[i + 1] === 0x0a) continue;
    out += c === 0x0a || c === 0x09 || (c >= 0x20 && c < 0x7f) ? String.fromCharCode(c) : '.';
  }
  return out;
}
