/**
 * A pcap of SIP over UDP from intent: each packet says when, between which
 * `ip:port`s and what SIP text (LF line ends become CRLF, as on the wire).
 * Built on the shared frame and file builders; used by the shell's transcript tests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcap } from './capture-builders.js';
import { eth, ipv4, udp } from './packet-builders.js';

export interface SipPacket {
  /** Seconds since the epoch, fractional (µs precision is kept). */
  at: number;
  from: string;
  to: string;
  text: string;
}

export function sipPcap(packets: SipPacket[]): Buffer {
  return pcap({
    records: packets.map((p) => {
      const [src, sport] = p.from.split(':');
      const [dst, dport] = p.to.split(':');
      const payload = Buffer.from(p.text.replace(/\r?\n/g, '\r\n'));
      const sec = Math.floor(p.at);
      return { sec, frac: Math.round((p.at - sec) * 1e6), data: eth(ipv4({ src: src!, dst: dst! }, udp({ sport: Number(sport), dport: Number(dport) }, payload))) };
    }),
  });
}

/** Writes files into a fresh temporary directory; returns their paths by name. */
export function writeTemp(files: Record<string, Buffer | string>): Record<string, string> & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-shell-'));
  const out: Record<string, string> = {};
  for (const [name, data] of Object.entries(files)) {
    out[name] = join(dir, name);
    writeFileSync(out[name]!, data);
  }
  return Object.assign(out, { dir });
}
