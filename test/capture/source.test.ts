import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { detectFormat } from '../../src/capture/detect.js';
import type { Frame } from '../../src/capture/frame.js';
import { readCapture } from '../../src/capture/source.js';
import { bytesOf, epb, idb, pcap, shb } from '../helpers/capture-builders.js';
import { FIXTURES } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'sipv-capture-'));
const TEXT = readFileSync(join(FIXTURES, 'text', 'sip_call.nn.txt'));
const PCAP = pcap({ records: Array.from({ length: 50 }, (_, i) => ({ sec: 1700000000 + i, frac: i, data: bytesOf(`r${i}-`, 500 + i) })) });
const PCAPNG = Buffer.concat([shb(), idb({ linkType: 1 }), ...Array.from({ length: 20 }, (_, i) => epb({ iface: 0, ts: BigInt(i), data: bytesOf('p', 100) }))]);

function file(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function read(path: string) {
  const frames: Frame[] = [];
  const r = await readCapture(path, (f) => frames.push({ ...f, data: Buffer.from(f.data) }));
  return { r, frames };
}

test('detectFormat looks at content only', () => {
  assert.equal(detectFormat(PCAP), 'pcap');
  assert.equal(detectFormat(pcap({ le: false, nano: true, records: [] })), 'pcap');
  assert.equal(detectFormat(PCAPNG), 'pcapng');
  assert.equal(detectFormat(shb(false)), 'pcapng');
  assert.equal(detectFormat(gzipSync(PCAP)), 'gzip');
  assert.equal(detectFormat(TEXT), 'text');
  assert.equal(detectFormat(Buffer.from('2024-05-14 08:00:00.000000 IP 1.2.3.4.5060 > 5.6.7.8.5060: SIP\n')), 'text');
  assert.equal(detectFormat(Buffer.from('hello, world\n')), 'unknown');
  assert.equal(detectFormat(Buffer.alloc(0)), 'unknown');
});

for (const [name, bytes, format, frames] of [
  ['x.pcap', PCAP, 'pcap', 50],
  ['x.pcapng', PCAPNG, 'pcapng', 20],
  ['x.txt', TEXT, 'text', 7],
] as const) {
  test(`readCapture ${format}, plain and gzip, gives the same frames`, async () => {
    const plain = await read(file(name, bytes));
    // the name says nothing: a gzip of it under a misleading name
    const gz = await read(file(`${name}.wrong-extension`, gzipSync(bytes)));
    assert.equal(plain.r.format, format);
    assert.equal(plain.r.compressed, false);
    assert.equal(plain.r.frames, frames);
    assert.equal(plain.r.bytes, bytes.length);
    assert.equal(gz.r.format, format);
    assert.equal(gz.r.compressed, true);
    assert.deepEqual(gz.frames, plain.frames);
    assert.equal(gz.r.error, undefined);
  });
}

test('readCapture: a cut gzip keeps the frames before the cut and reports gzip.truncated', async () => {
  const big = pcap({ records: Array.from({ length: 3000 }, (_, i) => ({ sec: 1700000000 + i, frac: 0, data: Buffer.from(`record ${i} `.repeat(40)) })) });
  const gz = gzipSync(big);
  const { r, frames } = await read(file('cut.gz', gz.subarray(0, Math.floor(gz.length * 0.6))));
  assert.ok(frames.length > 100 && frames.length < 3000, `${frames.length} frames`);
  assert.ok(r.issues.some((i) => i.code === 'gzip.truncated'));
  assert.equal(r.error, undefined);
  assert.ok(frames.every((f, i) => f.data.toString().startsWith(`record ${i} `)));
});

test('readCapture: large file streams in chunks with progress', async () => {
  const big = pcap({ records: Array.from({ length: 5000 }, (_, i) => ({ sec: 1700000000, frac: i, data: bytesOf(String(i % 10), 1000) })) });
  const path = file('big.pcap', big);
  const seen: number[] = [];
  let n = 0;
  const r = await readCapture(path, () => n++, { onProgress: (b, t) => { seen.push(b); assert.equal(t, big.length); } });
  assert.equal(n, 5000);
  assert.equal(r.frames, 5000);
  assert.ok(seen.length > 2);
  assert.equal(seen.at(-1), big.length);
});

test('readCapture: bad inputs give a sentence, never a throw', async () => {
  const cases: [string, string][] = [
    [join(dir, 'missing.pcap'), 'does not exist'],
    [dir, 'is a directory'],
    [file('empty.pcap', Buffer.alloc(0)), 'is empty'],
    [file('junk.bin', Buffer.from('this is not a capture at all\n'.repeat(10))), 'not a pcap'],
    [file('empty.gz', gzipSync(Buffer.alloc(0))), 'holds no data'],
  ];
  if (process.getuid?.() !== 0) {
    const locked = file('locked.pcap', PCAP);
    chmodSync(locked, 0);
    cases.push([locked, 'permission denied']);
  }
  for (const [path, words] of cases) {
    const { r, frames } = await read(path);
    assert.equal(frames.length, 0, path);
    assert.ok(r.error?.includes(words), `${path}: ${r.error}`);
    assert.ok(r.fatal, path);
  }
});

test('readCapture: a truncated pcap keeps complete records', async () => {
  const { r, frames } = await read(file('trunc.pcap', PCAP.subarray(0, PCAP.length - 10)));
  assert.equal(frames.length, 49);
  assert.deepEqual(r.issues.map((i) => i.code), ['pcap.truncated-record']);
});
