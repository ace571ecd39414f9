/**
 * Issue 14: `sipv export … -o out.pcapng` of calls over TLS writes every frame
 * of their TLS connections (handshake included) and a Decryption Secrets Block
 * with the key log lines of exactly those connections — tshark shows the SIP
 * without being given a key log, and sipv reads its own export back without
 * --keylog. Also the shell's `load --keylog`. Real exchanges under tcpdump
 * (test/tls/lab.ts): needs root, tcpdump and openssl.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureTls, labDir, LAB_MISSING } from '../tls/lab.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { decryptionSecretsBlock } from '../../src/report/export/tls-connections.js';

const skip = { skip: BIN_MISSING || LAB_MISSING, timeout: 120_000 };
const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const dir = labDir();
let port = 25061 + (process.pid % 500);

/** tshark on the export with no key log; the lab's ephemeral port is declared TLS carrying SIP (5061 would need no -d). */
function tsharkSip(pcap: string, ports: number[]): string[] {
  const decodeAs = ports.flatMap((p) => ['-d', `tcp.port==${p},tls`, '-d', `tls.port==${p},sip`]);
  const t = spawnSync('tshark', ['-r', pcap, ...decodeAs, '-Y', 'sip', '-E', 'occurrence=f', '-T', 'fields', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.method', '-e', 'sip.Status-Code'], { encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  return t.stdout.trim().split('\n').filter((l) => l !== '');
}

test('a Decryption Secrets Block is laid out as pcapng §4.7 says (TLSK, padded, lengths at both ends)', () => {
  const b = decryptionSecretsBlock(['CLIENT_RANDOM ab cd']);
  assert.equal(b.readUInt32LE(0), 0x0a);
  assert.equal(b.length % 4, 0);
  assert.equal(b.readUInt32LE(4), b.length);
  assert.equal(b.readUInt32LE(b.length - 4), b.length);
  assert.equal(b.readUInt32LE(8), 0x544c534b);
  assert.equal(b.readUInt32LE(12), 'CLIENT_RANDOM ab cd\n'.length);
  assert.equal(b.subarray(16, 16 + 20).toString(), 'CLIENT_RANDOM ab cd\n');
});

for (const [name, opts] of [['tls13', { minVersion: 'TLSv1.3' }], ['tls12', { maxVersion: 'TLSv1.2' }]] as const) {
  test(`export of SIP over ${name}: whole connections + DSB, tshark decrypts without a key log`, skip, async () => {
    const labPort = port++;
    const lab = await captureTls(dir, `export-${name}`, labPort, { requests: 2, client: opts, server: opts });
    // A second connection whose calls are filtered out: neither its frames nor its keys are exported.
    const other = await captureTls(dir, `export-${name}-other`, port++, { requests: 1, client: opts, server: opts });
    const merged = join(dir, `both-${name}.pcap`);
    const mc = spawnSync('mergecap', ['-F', 'pcap', '-w', merged, lab.pcap, other.pcap]);
    const input = mc.status === 0 ? merged : lab.pcap;
    const keys = join(dir, `both-${name}.keys`);
    spawnSync('sh', ['-c', `cat '${lab.keylog}' '${other.keylog}' > '${keys}'`]);
    const out = join(dir, `out-${name}.pcapng`);
    const r = sipv(['export', input, '--keylog', keys, '--where', 'ip 127.0.0.1', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const wanted = Array.from({ length: lab.sent }, (_, i) => `tls-call-${i + 1}@127.0.0.1`);
    // All of them when not merged (mergecap missing); with the merge, export only this lab's calls.
    const exp = input === merged ? sipv(['export', input, '--keylog', keys, '--where', `has via`, '-o', out, '--force']) : r;
    assert.equal(exp.code, 0, exp.stderr);
    // sipv reads its own export back with no --keylog: the DSB carries the secrets.
    const back = JSON.parse(sipv(['calls', out, '--json'], { env: { SSLKEYLOGFILE: '' } }).stdout) as { callId: string; messages: number }[];
    assert.ok(wanted.every((id) => back.some((c) => c.callId === id)), JSON.stringify(back));
    const blob = readFileSync(out);
    assert.ok(blob.includes(Buffer.from('TLSK', 'latin1').reverse()) || blob.includes(Buffer.from([0x4b, 0x53, 0x4c, 0x54])), 'a DSB of type TLSK');
    // Every frame of the connection (handshake included): far more frames than SIP messages.
    const frames = Number(/(\d+) frames/.exec(exp.stderr)![1]);
    assert.ok(frames > back.reduce((n, c) => n + c.messages, 0) + 4, exp.stderr);
    if (hasTshark) {
      const rows = tsharkSip(out, [labPort]);
      for (const id of wanted) assert.ok(rows.some((row) => row.startsWith(`${id}\tOPTIONS`)), `tshark shows ${id}: ${rows.join(' | ')}`);
      assert.ok(rows.some((row) => /\t200$/.test(row)), 'and the 200s');
    }
  });
}

test('export keeps only the secrets of the exported connections', skip, async () => {
  const a = await captureTls(dir, 'only-a', port++, { requests: 1 });
  const b = await captureTls(dir, 'only-b', port++, { requests: 1 });
  const keys = join(dir, 'only.keys');
  spawnSync('sh', ['-c', `cat '${a.keylog}' '${b.keylog}' > '${keys}'`]);
  const out = join(dir, 'only-a.pcapng');
  const r = sipv(['export', a.pcap, '--keylog', keys, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const blob = readFileSync(out).toString('latin1');
  const randomOf = (file: string): string => /^\w+ ([0-9a-f]{64}) /m.exec(readFileSync(file, 'latin1'))![1]!;
  assert.ok(blob.includes(randomOf(a.keylog)), 'the exported connection\'s secrets are in');
  assert.ok(!blob.includes(randomOf(b.keylog)), 'the other connection\'s secrets are not');
});

test('shell: load --keylog decrypts, and the session keeps the key log for later loads', skip, async () => {
  const lab = await captureTls(dir, 'shell', port++, { requests: 2 });
  const plain = sipv(['shell', '-e', `load ${lab.pcap}`]);
  assert.match(plain.stdout, /^0 conversations \(0 SIP messages\) extracted\n/);
  const r = sipv(['shell', '-e', `load --keylog ${lab.keylog} ${lab.pcap}; show conversations`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2 conversations \(4 SIP messages\) extracted\n\[0\] [^\n]*: OPTIONS /);
  const later = sipv(['shell', '-e', `load --keylog ${lab.keylog} /dev/null; load ${lab.pcap}`]);
  assert.match(later.stdout, /2 conversations \(4 SIP messages\) extracted\n$/);
  const missing = sipv(['shell', '-e', 'load --keylog /nonexistent.keys x.pcap']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^sipv: -e:1: --keylog \/nonexistent\.keys: no such file\n$/);
});
