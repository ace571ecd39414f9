/**
 * Real SIP over TLS, end to end: a Node TLS server and client on 127.0.0.1
 * exchange OPTIONS/200 under each version and suite we claim, tcpdump captures
 * it, the TLS stack writes the key log; then the capture must give exactly the
 * SIP that was sent — with the key log, from a pcapng Decryption Secrets Block
 * (editcap --inject-secrets), and through `sipv calls --keylog --json` —
 * matching tshark's count with the same key log. Without keys, the TLS
 * connection is reported as undecryptable with counts. Needs root, tcpdump and
 * openssl; skips with the reason otherwise.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs, type InputReport } from '../../src/ingest/load.js';
import { HRR_RANDOM } from '../../src/tls/handshake.js';
import { KeyLog } from '../../src/tls/keylog.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { captureKeyUpdate, captureTls, labDir, LAB_MISSING, tsharkSipCount, type LabResult } from './lab.js';

const skip = { skip: LAB_MISSING };
const dir = LAB_MISSING ? '' : labDir();
let nextPort = 45100 + (process.pid % 50) * 20;

async function load(pcap: string, keylogFile?: string): Promise<{ store: CallStore; report: InputReport }> {
  let keylog: KeyLog | undefined;
  if (keylogFile !== undefined) {
    keylog = new KeyLog();
    keylog.addText(readFileSync(keylogFile, 'latin1'), keylogFile);
  }
  const store = new CallStore({ keep: () => true });
  const [report] = await loadInputs([pcap], store, { keylog });
  return { store, report: report! };
}

/** Every message the exchange produced: one OPTIONS and its 200 per request, all marked tls. */
function assertAllSip(store: CallStore, lab: LabResult, what: string): void {
  assert.equal(lab.answered, lab.sent, `${what}: the exchange itself completed`);
  const calls = store.calls();
  assert.deepEqual(calls.map((c) => c.callId), Array.from({ length: lab.sent }, (_, i) => `tls-call-${i + 1}@127.0.0.1`), what);
  for (const c of calls) {
    assert.equal(c.messages, 2, `${what}: ${c.callId}`);
    assert.equal(c.finalStatus, 200);
    assert.deepEqual(c.kept!.map((m) => m.transport), ['tls', 'tls']);
  }
}

const CASES: Array<{ name: string; opts: Record<string, unknown>; protocol: string; cipher: string }> = [
  { name: 'tls13-aes128gcm', opts: { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' }, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' },
  { name: 'tls13-aes256gcm', opts: { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' }, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
  { name: 'tls13-chacha20', opts: { minVersion: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' }, protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256' },
  { name: 'tls13-aes128ccm', opts: { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_CCM_SHA256' }, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_CCM_SHA256' },
  { name: 'tls12-ecdhe-aes128gcm', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' },
  { name: 'tls12-rsa-aes256gcm', opts: { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' }, protocol: 'TLSv1.2', cipher: 'TLS_RSA_WITH_AES_256_GCM_SHA384' },
  { name: 'tls12-ecdhe-chacha20', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' }, protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256' },
  // OpenSSL agrees Encrypt-then-MAC for CBC suites by default; SSL_OP_NO_ENCRYPT_THEN_MAC (1 << 19) forces MAC-then-encrypt.
  { name: 'tls12-rsa-aes128cbc-etm', opts: { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' }, protocol: 'TLSv1.2', cipher: 'TLS_RSA_WITH_AES_128_CBC_SHA' },
  { name: 'tls12-rsa-aes128cbc-mte', opts: { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA', secureOptions: 1 << 19 }, protocol: 'TLSv1.2', cipher: 'TLS_RSA_WITH_AES_128_CBC_SHA' },
  { name: 'tls12-ecdhe-aes256cbc-sha384', opts: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-SHA384', secureOptions: 1 << 19 }, protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384' },
  { name: 'tls10-rsa-aes128cbc', opts: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' }, protocol: 'TLSv1', cipher: 'TLS_RSA_WITH_AES_128_CBC_SHA' },
];

for (const c of CASES) {
  test(`real capture, ${c.protocol} ${c.cipher}${c.name.endsWith('mte') ? ' (MAC-then-encrypt)' : ''}: every SIP message decrypts, as tshark sees it`, skip, async () => {
    const port = nextPort++;
    const lab = await captureTls(dir, c.name, port, { requests: 3, client: c.opts, server: c.opts });
    assert.equal(lab.protocol, c.protocol);
    assert.equal(lab.cipher, c.cipher);
    const { store, report } = await load(lab.pcap, lab.keylog);
    assertAllSip(store, lab, c.name);
    assert.deepEqual(report.issues.filter((i) => i.code.startsWith('tls.')), []);
    const shark = tsharkSipCount(lab.pcap, lab.keylog, port);
    if (shark !== undefined) assert.equal(shark, store.messagesSeen, 'tshark decrypts as many SIP messages');
  });
}

test('real capture without the key log: no SIP, and a warning that says why, with counts', skip, async () => {
  const lab = await captureTls(dir, 'nokeys', nextPort++, { requests: 2, client: { maxVersion: 'TLSv1.2' } });
  const { store, report } = await load(lab.pcap);
  assert.equal(store.messagesSeen, 0);
  assert.equal(report.stats.tlsStreams, 2);
  const tls = report.issues.filter((i) => i.code.startsWith('tls.'));
  assert.deepEqual(tls.map((i) => i.code), ['tls.no-key', 'tls.no-key']);
  assert.match(tls[0]!.detail, /^1 of 1 TLS connection could not be decrypted \(\d+ records\): no TLS key log was given/);
  assert.match(tls[1]!.detail, /TLS 1\.2 TLS_ECDHE_RSA_WITH_\w+: the key log has no CLIENT_RANDOM for client random [0-9a-f]{64}; \d+ protected records not decrypted$/);
  // The wrong key log (another connection's secrets) says which label is missing too.
  const other = await captureTls(dir, 'other', nextPort++, { requests: 1 });
  const wrong = await load(lab.pcap, other.keylog);
  assert.equal(wrong.store.messagesSeen, 0);
  assert.match(wrong.report.issues[0]!.detail, /the key log lacks CLIENT_RANDOM$/);
});

test('real capture with KeyUpdates (openssl s_client k/K): messages after each update decrypt', skip, async () => {
  const port = nextPort++;
  const lab = await captureKeyUpdate(dir, port);
  const { store, report } = await load(lab.pcap, lab.keylog);
  assertAllSip(store, lab, 'keyupdate');
  assert.deepEqual(report.issues.filter((i) => i.code.startsWith('tls.')), []);
  const shark = tsharkSipCount(lab.pcap, lab.keylog, port);
  if (shark !== undefined) assert.equal(shark, 6);
});

test('real capture with a HelloRetryRequest (client key share the server does not take)', skip, async () => {
  const lab = await captureTls(dir, 'hrr', nextPort++, {
    requests: 2, client: { minVersion: 'TLSv1.3', ecdhCurve: 'X25519:secp384r1' }, server: { ecdhCurve: 'secp384r1' },
  });
  assert.ok(readFileSync(lab.pcap).includes(HRR_RANDOM), 'the server sent a HelloRetryRequest');
  const { store } = await load(lab.pcap, lab.keylog);
  assertAllSip(store, lab, 'hrr');
});

test('real capture, cut short inside a record: the messages before it, and tls.truncated', skip, async (t) => {
  const port = nextPort++;
  const lab = await captureTls(dir, 'cut', port, { requests: 3, client: { minVersion: 'TLSv1.3' } });
  // The frame that carries the third request, found by tshark with the key log.
  const r = spawnSync('tshark', ['-r', lab.pcap, '-o', `tls.keylog_file:${lab.keylog}`, '-d', `tcp.port==${port},tls`, '-d', `tls.port==${port},sip`,
    '-Y', 'sip.CSeq.seq == 3 && sip.Method', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  if (r.error !== undefined) return t.skip('no tshark');
  const frame = Number(r.stdout.trim());
  assert.ok(frame > 0, r.stderr);
  const cut = join(dir, 'cut-short.pcap');
  writeFileSync(cut, cutPcap(readFileSync(lab.pcap), frame, 120));
  const { store, report } = await load(cut, lab.keylog);
  assert.equal(store.messagesSeen, 4, 'two requests and their answers');
  const truncated = report.issues.filter((i) => i.code === 'tls.truncated');
  assert.equal(truncated.length, 1, JSON.stringify(report.issues));
  assert.match(truncated[0]!.detail, /the stream ended inside a TLS record \(\d+ of \d+ bytes\)/);
});

/**
 * A little-endian pcap (as tcpdump writes it on lo: Ethernet, IPv4) up to frame
 * `last` (1-based), whose packet is cut to `keep` bytes as if the sender had sent
 * only those: IPv4 total length and header checksum rewritten (RFC 791 §3.1).
 */
function cutPcap(pcap: Buffer, last: number, keep: number): Buffer {
  const parts = [pcap.subarray(0, 24)];
  let off = 24;
  for (let n = 1; n <= last; n++) {
    const incl = pcap.readUInt32LE(off + 8);
    const head = Buffer.from(pcap.subarray(off, off + 16));
    const data = pcap.subarray(off + 16, off + 16 + incl);
    if (n === last) {
      head.writeUInt32LE(keep, 8);
      head.writeUInt32LE(keep, 12);
      const pkt = Buffer.from(data.subarray(0, keep));
      const ip = pkt.subarray(14, 14 + (pkt[14]! & 0x0f) * 4);
      ip.writeUInt16BE(keep - 14, 2);
      ip.writeUInt16BE(0, 10);
      let sum = 0;
      for (let i = 0; i < ip.length; i += 2) sum += ip.readUInt16BE(i);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      ip.writeUInt16BE(~sum & 0xffff, 10);
      parts.push(head, pkt);
    } else parts.push(head, data);
    off += 16 + incl;
  }
  return Buffer.concat(parts);
}

test('pcapng with the key log in a Decryption Secrets Block decrypts without --keylog; sipv calls agrees', skip, async (t) => {
  const port = nextPort++;
  const lab = await captureTls(dir, 'dsb', port, { requests: 2, client: { minVersion: 'TLSv1.3' } });
  const ng = join(dir, 'dsb.pcapng');
  const ed = spawnSync('editcap', ['--inject-secrets', `tls,${lab.keylog}`, lab.pcap, ng], { encoding: 'utf8' });
  if (ed.error !== undefined) return t.skip('no editcap');
  assert.equal(ed.status, 0, ed.stderr);
  const { store, report } = await load(ng);
  assertAllSip(store, lab, 'dsb');
  assert.deepEqual(report.issues.filter((i) => i.code.startsWith('tls.')), []);
  if (BIN_MISSING) return;
  // Through the real program: DSB alone, --keylog on a pcap, SSLKEYLOGFILE, and none.
  for (const [args, env] of [[[ng], {}], [[lab.pcap, '--keylog', lab.keylog], {}], [[lab.pcap], { SSLKEYLOGFILE: lab.keylog }]] as const) {
    const r = sipv(['calls', ...args, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const calls = JSON.parse(r.stdout) as { callId: string; messages: number }[];
    assert.deepEqual(calls.map((c) => [c.callId, c.messages]), [['tls-call-1@127.0.0.1', 2], ['tls-call-2@127.0.0.1', 2]]);
  }
  const none = sipv(['calls', lab.pcap, '--json'], { env: { SSLKEYLOGFILE: '' } });
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '[]\n');
  assert.match(none.stderr, /warning: 1 of 1 TLS connection could not be decrypted/);
  const show = sipv(['show', lab.pcap, '--keylog', lab.keylog, '--call', '0', '--json']);
  assert.equal(show.code, 0, show.stderr);
  assert.deepEqual((JSON.parse(show.stdout) as { messages: { transport: string }[] }).messages.map((m) => m.transport), ['tls', 'tls']);
  const missing = sipv(['calls', lab.pcap, '--keylog', join(dir, 'no-such.keys')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^sipv: --keylog .*no-such\.keys: no such file\n$/);
});
