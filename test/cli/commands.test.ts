/**
 * `sipv calls` and `sipv show` through the real binary: SPEC.md JSON shapes,
 * every input form giving the same calls, filters, and bad input turned into
 * one `sipv: …` line with exit 2 while the good messages are still printed.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pcap } from '../helpers/capture-builders.js';
import { eth, ipv4, udp } from '../helpers/packet-builders.js';
import { EXAMPLES } from '../helpers/paths.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const CALL_KEYS = ['index', 'callId', 'start', 'end', 'firstMethod', 'from', 'to', 'srcIp', 'dstIp', 'messages', 'finalStatus', 'retransmissions', 'duplicates', 'anomalies'];
const MESSAGE_KEYS = ['index', 'time', 'src', 'dst', 'transport', 'method', 'status', 'reason', 'cseq', 'raw'];
const tmp = mkdtempSync(join(tmpdir(), 'sipv-cli-'));
const basic = join(EXAMPLES, 'basic-call.pcap');
const skip = { skip: BIN_MISSING };

function noStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('calls --json prints SPEC.md call objects', skip, () => {
  const r = sipv(['calls', basic, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const calls = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(calls.length, 1);
  assert.deepEqual(Object.keys(calls[0]!), CALL_KEYS);
  assert.deepEqual(calls[0], {
    index: 0, callId: '1-6847@127.0.1.1', start: '2013-03-09T22:37:58.972518Z', end: '2013-03-09T22:38:15.081915Z',
    firstMethod: 'INVITE', from: 'sipp', to: 'service', srcIp: '127.0.0.1', dstIp: '127.0.0.1',
    messages: 7, finalStatus: 200, retransmissions: 0, duplicates: 0, anomalies: 0,
  });
});

test('pcap, gzip, tcpdump text and stdin give the same calls', skip, () => {
  const want = JSON.parse(sipv(['calls', join(EXAMPLES, 'nat-calls.pcap'), '--json']).stdout) as unknown[];
  assert.ok(want.length >= 10);
  const gz = sipv(['calls', join(EXAMPLES, 'nat-calls.pcap.gz'), '--json']);
  assert.deepEqual(JSON.parse(gz.stdout), want);
  const stdin = sipv(['calls', '-', '--json'], { input: readFileSync(join(EXAMPLES, 'nat-calls.pcap.gz')) });
  assert.deepEqual(JSON.parse(stdin.stdout), want);
  const text = sipv(['calls', join(EXAMPLES, 'basic-call.txt'), '--json']);
  assert.deepEqual(JSON.parse(text.stdout), JSON.parse(sipv(['calls', basic, '--json']).stdout));
});

test('--ndjson prints one call per line; --sort callid orders by Call-ID', skip, () => {
  const r = sipv(['calls', join(EXAMPLES, 'nat-calls.pcap'), '--ndjson', '--sort', 'callid']);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { callId: string });
  const ids = lines.map((c) => c.callId);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(sipv(['calls', basic, '--sort', 'bogus']).code, 2);
});

test('--where filters, and a filter matching nothing shows no calls', skip, () => {
  const all = JSON.parse(sipv(['calls', join(EXAMPLES, 'nat-calls.pcap'), '--json']).stdout) as { callId: string; firstMethod: string }[];
  const r = sipv(['calls', join(EXAMPLES, 'nat-calls.pcap'), '--json', '--where', 'has authorization']);
  const some = JSON.parse(r.stdout) as unknown[];
  assert.ok(some.length > 0 && some.length < all.length, `${some.length} of ${all.length}`);
  const none = sipv(['calls', join(EXAMPLES, 'nat-calls.pcap'), '--json', '--where', 'srcnum 999999999']);
  assert.deepEqual(JSON.parse(none.stdout), []);
  const bad = sipv(['calls', basic, '--where', 'nosuch 1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^sipv: --where: unknown filter type 'nosuch'/);
});

test('show --json prints SPEC.md messages; --message N picks one', skip, () => {
  const r = sipv(['show', basic, '--call', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const conv = JSON.parse(r.stdout) as { callId: string; messages: Record<string, unknown>[] };
  assert.equal(conv.callId, '1-6847@127.0.1.1');
  assert.equal(conv.messages.length, 7);
  assert.deepEqual(Object.keys(conv.messages[0]!), MESSAGE_KEYS);
  assert.deepEqual(conv.messages.map((m) => m['method'] ?? m['status']), ['INVITE', 100, 180, 200, 'ACK', 'BYE', 200]);
  assert.equal(conv.messages[0]!['src'], '127.0.0.1:5060');
  assert.equal(conv.messages[0]!['cseq'], '1 INVITE');
  assert.match(String(conv.messages[0]!['raw']), /^INVITE sip:service@127\.0\.0\.1:5090 SIP\/2\.0\r\n/);
  const byId = sipv(['show', basic, '--call', '1-6847@127.0.1.1', '--message', '2', '--json']);
  assert.equal((JSON.parse(byId.stdout) as { messages: { status: number }[] }).messages[0]!.status, 180);
  const text = sipv(['show', basic, '--call', '0']);
  assert.match(text.stdout, /\[3\] 2013-03-09 22:38:03\.078535 200 OK \(127\.0\.0\.1:5090->127\.0\.0\.1:5060\)/);
});

test('show with a wrong call or message number says so in one line', skip, () => {
  for (const args of [['--call', '7'], ['--call', '0', '--message', '99'], ['--call', '0', '--message', 'abc']]) {
    const r = sipv(['show', basic, ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^sipv: /);
    noStackTrace(r.stderr);
  }
});

test('unreadable, empty and non-capture inputs: one clear line, exit 2, no trace', skip, () => {
  const empty = join(tmp, 'empty.pcap');
  writeFileSync(empty, '');
  const garbage = join(tmp, 'garbage.bin');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)));
  for (const [file, what] of [[join(tmp, 'missing.pcap'), /does not exist/], [empty, /empty/], [garbage, /not a pcap, pcapng or tcpdump text/], [tmp, /directory/]] as const) {
    const r = sipv(['calls', file]);
    assert.equal(r.code, 2, file);
    assert.match(r.stderr, what);
    assert.match(r.stderr, new RegExp(`^sipv: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    noStackTrace(r.stderr);
  }
});

test('a truncated capture still lists every good message, then exits 2 with where it broke', skip, () => {
  const bytes = readFileSync(join(EXAMPLES, 'nat-calls.pcap'));
  const cut = join(tmp, 'cut.pcap');
  writeFileSync(cut, bytes.subarray(0, 10000));
  const r = sipv(['calls', cut, '--json']);
  assert.equal(r.code, 2);
  const calls = JSON.parse(r.stdout) as unknown[];
  assert.ok(calls.length >= 10, `${calls.length} calls before the cut`);
  assert.match(r.stderr, /^sipv: .*cut\.pcap:offset \d+: the file ends inside a record/m);
  const gz = join(tmp, 'cut.pcap.gz');
  writeFileSync(gz, gzipSync(bytes).subarray(0, 2000));
  const z = sipv(['calls', gz, '--json']);
  assert.equal(z.code, 2);
  assert.ok((JSON.parse(z.stdout) as unknown[]).length > 0, 'messages before the gzip cut are kept');
  noStackTrace(z.stderr);
});

test('escape sequences inside SIP never reach the terminal', skip, () => {
  const evil = 'INVITE sip:1@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: "\x1b]0;owned\x07\x1b[2J" <sip:\x1b[31m666@a>;tag=1\r\nTo: <sip:1@b>\r\nCall-ID: x\x1b[8m@y\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
  const file = join(tmp, 'evil.pcap');
  writeFileSync(file, pcap({ records: [{ sec: 1700000000, frac: 0, data: eth(ipv4({}, udp({ sport: 5060, dport: 5060 }, evil))) }] }));
  for (const args of [['calls', file], ['show', file, '--call', '0', '--messages']]) {
    const r = sipv(args);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b|\x07/, args.join(' '));
    assert.match(r.stdout, /\\x1b/);
  }
});

test('--help on every command shows examples; usage errors exit 2', skip, () => {
  for (const cmd of ['calls', 'show']) {
    const r = sipv([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:/);
  }
  const r = sipv(['calls']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^sipv: give capture files/);
});
