/**
 * Export of SIP over TLS that Wireshark can decrypt again (issue 14): the
 * messages only name the frames that carried their application data, but a
 * decryptor needs the whole connection — ClientHello, ServerHello, every
 * record — and the secrets. So, for the TLS messages among the exported calls:
 * a pass over their inputs adds every TCP frame of those connections to the
 * selection and reads each connection's ClientHello.random; the key log lines
 * for exactly those randoms go into a pcapng Decryption Secrets Block
 * (pcapng spec §4.7, secrets type 0x544c534b "TLSK", NSS key log text).
 */
import type { Call } from '../../calls/call.js';
import { secretsBlock } from '../../capture/savefile-writer.js';
import { readCapture } from '../../capture/source.js';
import { PacketDecoder } from '../../net/decode.js';
import { DSB_TLS_KEY_LOG, KEYLOG_LABELS, KeyLog } from '../../tls/keylog.js';
import type { FrameSelection } from './selection.js';

/** TLS record: 5-byte header; handshake: 4-byte header, 2-byte version, then the 32-byte random (RFC 8446 §4.1.2). */
const RANDOM_AT = 5 + 4 + 2;

function connectionKey(aIp: string, aPort: number, bIp: string, bPort: number): string {
  const a = `${aIp}|${aPort}`;
  const b = `${bIp}|${bPort}`;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Per input, the TCP connections that carried TLS messages of these calls. */
export function tlsConnections(calls: readonly Call[]): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const call of calls) {
    for (const m of call.kept ?? []) {
      if (m.transport !== 'tls') continue;
      let set = out.get(m.source);
      if (set === undefined) out.set(m.source, (set = new Set()));
      set.add(connectionKey(m.srcIp, m.srcPort, m.dstIp, m.dstPort));
    }
  }
  return out;
}

export interface TlsExport {
  /** Connections whose frames were added. */
  connections: number;
  /** NSS key log lines for those connections (empty when no secret is known). */
  keyLines: string[];
}

/**
 * Adds every frame of the calls' TLS connections to `selection` and returns the
 * key log lines for them, from `keylog` and the inputs' own Decryption Secrets Blocks.
 */
export async function addTlsConnections(files: readonly (string | undefined)[], calls: readonly Call[], selection: FrameSelection, keylog?: KeyLog): Promise<TlsExport> {
  const wanted = tlsConnections(calls);
  const keys = new KeyLog(keylog);
  const randoms = new Set<string>();
  let connections = 0;
  for (const [source, conns] of wanted) {
    const file = files[source];
    if (file === undefined) continue;
    connections += conns.size;
    let frames = selection.get(source);
    if (frames === undefined) selection.set(source, (frames = new Set()));
    const chosen = frames;
    const seen = new Set<string>();
    const decoder = new PacketDecoder();
    await readCapture(file, (f) => decoder.push(f, (p) => {
      if (p.transport !== 'tcp') return;
      const key = connectionKey(p.srcIp, p.srcPort, p.dstIp, p.dstPort);
      if (!conns.has(key)) return;
      for (const n of p.frames ?? [p.frame]) chosen.add(n);
      const d = p.payload;
      // The first ClientHello of the connection (record type 22, handshake type 1).
      if (!seen.has(key) && d.length >= RANDOM_AT + 32 && d[0] === 0x16 && d[5] === 0x01) {
        seen.add(key);
        randoms.add(d.subarray(RANDOM_AT, RANDOM_AT + 32).toString('hex'));
      }
    }), { onSecrets: (s) => { if (s.type === DSB_TLS_KEY_LOG) keys.addText(s.data.toString('latin1'), `${file}: Decryption Secrets Block`); } });
    decoder.end();
  }
  const keyLines: string[] = [];
  for (const random of randoms) {
    for (const label of KEYLOG_LABELS) {
      const secret = keys.get(Buffer.from(random, 'hex'), label);
      if (secret !== undefined) keyLines.push(`${label} ${random} ${secret.toString('hex')}`);
    }
  }
  return { connections, keyLines };
}

/** A pcapng Decryption Secrets Block holding NSS key log lines. */
export function decryptionSecretsBlock(keyLines: readonly string[]): Buffer {
  return secretsBlock(DSB_TLS_KEY_LOG, Buffer.from(keyLines.map((l) => l + '\n').join(''), 'latin1'));
}
