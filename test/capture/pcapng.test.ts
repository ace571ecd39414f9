import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinkType } from '../../src/capture/frame.js';
import { PcapngDecoder } from '../../src/capture/pcapng.js';
import { block, bytesOf, dsb, epb, idb, opb, shb, spb } from '../helpers/capture-builders.js';
import { decodeAll } from './split.js';

/** One expectation table, run over both byte orders (as gopacket's ngread_test does). */
function sample(le: boolean): Buffer {
  return Buffer.concat([
    shb(le),
    idb({ linkType: LinkType.ETHERNET, snaplen: 64 }, le), // µs by default
    idb({ linkType: LinkType.RAW, tsresol: 9 }, le), // ns
    idb({ linkType: LinkType.LINUX_SLL, tsresol: 0x80 | 10, tsoffset: 1000 }, le), // 2^-10 s, +1000 s
    epb({ iface: 0, ts: 1_700_000_000_123_456n, data: bytesOf('eth', 42), origLen: 60 }, le),
    block(0x0badf00d, bytesOf('unknown', 13), le),
    epb({ iface: 1, ts: 1_700_000_001_000_000_007n, data: bytesOf('raw', 20) }, le),
    dsb(0x544c534b, Buffer.from('CLIENT_RANDOM 00 11'), le),
    epb({ iface: 2, ts: 1025n, data: bytesOf('sll', 7) }, le),
    spb(bytesOf('simple', 100), 100, le),
    opb({ iface: 1, ts: 5_000_000_001n, data: bytesOf('old', 9) }, le),
  ]);
}

const expected = [
  { interfaceId: 0, linkType: 1, sec: 1_700_000_000, nsec: 123_456_000, len: 42, origLen: 60 },
  { interfaceId: 1, linkType: 101, sec: 1_700_000_001, nsec: 7, len: 20, origLen: 20 },
  { interfaceId: 2, linkType: 113, sec: 1001, nsec: 976_562, len: 7, origLen: 7 },
  // SPB: interface 0's snaplen (64) caps the data; it has no time of its own
  { interfaceId: 0, linkType: 1, sec: 1001, nsec: 976_562, len: 64, origLen: 100 },
  { interfaceId: 1, linkType: 101, sec: 5, nsec: 1, len: 9, origLen: 9 },
];

const shape = (fs: ReturnType<typeof decodeAll>) =>
  fs.map((f) => ({ interfaceId: f.interfaceId, linkType: f.linkType, sec: f.sec, nsec: f.nsec, len: f.data.length, origLen: f.origLen }));

for (const le of [true, false]) {
  const order = le ? 'little' : 'big';
  test(`pcapng ${order}-endian: interfaces, EPB/SPB/OPB, tsresol/tsoffset, unknown block, secrets`, () => {
    const d = new PcapngDecoder();
    const frames = decodeAll(d, sample(le));
    assert.deepEqual(d.issues, []);
    assert.deepEqual(shape(frames), expected);
    assert.deepEqual(frames.map((f) => f.index), [1, 2, 3, 4, 5]);
    assert.equal(frames[1].data.toString(), bytesOf('raw', 20).toString());
    assert.deepEqual(d.secrets.map((s) => [s.type, s.data.toString()]), [[0x544c534b, 'CLIENT_RANDOM 00 11']]);
  });

  test(`pcapng ${order}-endian: every split point gives the same frames`, () => {
    const bytes = sample(le);
    const whole = decodeAll(new PcapngDecoder(), bytes);
    for (let a = 0; a <= bytes.length; a++) {
      const d = new PcapngDecoder();
      assert.deepEqual(decodeAll(d, bytes, [a]), whole, `split at ${a}`);
      assert.deepEqual(d.issues, [], `split at ${a}`);
    }
    // a block finished from one chunk while the next is split again
    for (let a = 0; a <= bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 5) assert.deepEqual(decodeAll(new PcapngDecoder(), bytes, [a, b]), whole, `split at ${a}, ${b}`);
    }
  });

  test(`pcapng ${order}-endian: truncation keeps complete blocks and reports the cut`, () => {
    const bytes = sample(le);
    const full = decodeAll(new PcapngDecoder(), bytes);
    for (let cut = 40; cut < bytes.length; cut += 3) {
      const d = new PcapngDecoder();
      const frames = decodeAll(d, bytes.subarray(0, cut));
      assert.deepEqual(frames, full.slice(0, frames.length), `cut at ${cut}`);
      assert.ok(d.issues.length <= 1, `cut at ${cut}`);
      if (d.issues.length) assert.equal(d.issues[0].code, 'pcapng.truncated-block');
    }
  });
}

test('pcapng: sections may change byte order; interface ids restart per section', () => {
  const bytes = Buffer.concat([
    shb(true), idb({ linkType: 1 }, true), epb({ iface: 0, ts: 1n, data: bytesOf('a', 4) }, true),
    shb(false), idb({ linkType: 101 }, false), epb({ iface: 0, ts: 2_000_000n, data: bytesOf('b', 4) }, false),
  ]);
  const d = new PcapngDecoder();
  const frames = decodeAll(d, bytes);
  assert.deepEqual(frames.map((f) => [f.linkType, f.sec, f.data.toString()]), [[1, 0, 'aaaa'], [101, 2, 'bbbb']]);
  assert.deepEqual(d.issues, []);
  for (let a = 0; a <= bytes.length; a++) assert.deepEqual(decodeAll(new PcapngDecoder(), bytes, [a]), frames, `split at ${a}`);
});

test('pcapng: a damaged block length is reported and reading resumes at the next packet block', () => {
  const good1 = epb({ iface: 0, ts: 1n, data: bytesOf('one', 8) });
  const broken = epb({ iface: 0, ts: 2n, data: bytesOf('two', 8) });
  broken.writeUInt32LE(0x7ffffff0, 4); // impossible length
  const good2 = epb({ iface: 0, ts: 3n, data: bytesOf('three', 8) });
  const bytes = Buffer.concat([shb(), idb({ linkType: 1 }), good1, broken, good2]);
  for (const cuts of [[], [70], [97, 101], ...Array.from({ length: bytes.length + 1 }, (_, a) => [a])]) {
    const d = new PcapngDecoder();
    const frames = decodeAll(d, bytes, cuts);
    assert.deepEqual(frames.map((f) => f.data.toString()), ['oneoneon', 'threethr'], `cuts ${cuts}`);
    assert.deepEqual(d.issues.map((i) => i.code), ['pcapng.bad-block', 'pcapng.resynchronised']);
    assert.equal(d.fatal, undefined);
  }
});

test('pcapng: a packet naming an undescribed interface is an issue, not a crash', () => {
  const d = new PcapngDecoder();
  const frames = decodeAll(d, Buffer.concat([shb(), epb({ iface: 3, ts: 1n, data: bytesOf('x', 4) })]));
  assert.deepEqual(frames, []);
  assert.deepEqual(d.issues.map((i) => i.code), ['pcapng.unknown-interface']);
});

test('pcapng: not starting with a section header is fatal', () => {
  const d = new PcapngDecoder();
  decodeAll(d, idb({ linkType: 1 }));
  assert.equal(d.fatal?.code, 'pcapng.bad-magic');
});
