import { join } from 'node:path';
import { CAPTURES } from '../helpers/paths.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LinkType } from '../../src/capture/frame.js';
import { PcapDecoder } from '../../src/capture/pcap.js';
import { bytesOf, pcap } from '../helpers/capture-builders.js';
import { payloadOf } from './payloads.js';
import { decodeAll } from './split.js';

const records = [
  { sec: 1700000000, frac: 1, data: bytesOf('first', 60) },
  { sec: 1700000001, frac: 999999, data: bytesOf('second', 33), origLen: 1500 },
  { sec: 1700000002, frac: 500000, data: bytesOf('third', 1) },
];

for (const le of [true, false]) {
  for (const nano of [false, true]) {
    test(`pcap ${le ? 'little' : 'big'}-endian ${nano ? 'ns' : 'µs'}: fields come back as written`, () => {
      const bytes = pcap({ le, nano, linkType: LinkType.LINUX_SLL, records });
      const d = new PcapDecoder();
      const frames = decodeAll(d, bytes);
      assert.deepEqual(d.issues, []);
      assert.equal(frames.length, 3);
      assert.deepEqual(frames.map((f) => f.index), [1, 2, 3]);
      assert.ok(frames.every((f) => f.linkType === LinkType.LINUX_SLL && f.interfaceId === 0));
      assert.deepEqual(frames.map((f) => f.data.toString('latin1')), records.map((r) => r.data.toString('latin1')));
      assert.equal(frames[1].origLen, 1500);
      assert.deepEqual(frames.map((f) => [f.sec, f.nsec]), records.map((r) => [r.sec, nano ? r.frac : r.frac * 1000]));
    });
  }
}

test('pcap: every split point gives the same frames', () => {
  const bytes = pcap({ le: false, records });
  const whole = decodeAll(new PcapDecoder(), bytes);
  for (let a = 0; a <= bytes.length; a++) {
    const d = new PcapDecoder();
    assert.deepEqual(decodeAll(d, bytes, [a]), whole, `split at ${a}`);
    assert.deepEqual(d.issues, []);
  }
  // and byte by byte
  const one = [...Array(bytes.length).keys()];
  assert.deepEqual(decodeAll(new PcapDecoder(), bytes, one), whole);
  // and at every pair of points (a record finished from one chunk, the next one split again)
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b++) assert.deepEqual(decodeAll(new PcapDecoder(), bytes, [a, b]), whole, `split at ${a}, ${b}`);
  }
});

test('pcap: truncation keeps every complete record and reports the cut', () => {
  const bytes = pcap({ records });
  const ends = [24, 24 + 16 + 60, 24 + 16 + 60 + 16 + 33];
  for (let cut = 25; cut < bytes.length; cut++) {
    const d = new PcapDecoder();
    const frames = decodeAll(d, bytes.subarray(0, cut));
    const complete = ends.filter((e, i) => i > 0 && e <= cut).length;
    assert.equal(frames.length, complete, `cut at ${cut}`);
    if (ends.includes(cut)) assert.deepEqual(d.issues, []);
    else {
      assert.equal(d.issues.length, 1, `cut at ${cut}`);
      assert.equal(d.issues[0].code, 'pcap.truncated-record');
      assert.equal(d.issues[0].offset, ends[complete]);
    }
  }
});

test('pcap: a file shorter than its header is fatal, not an exception', () => {
  const d = new PcapDecoder();
  assert.deepEqual(decodeAll(d, pcap({ records: [] }).subarray(0, 10)), []);
  assert.equal(d.fatal?.code, 'pcap.truncated-header');
});

test('pcap: an absurd record length is skipped by resynchronising on the next header', () => {
  const bad = { sec: 1700000001, frac: 5, data: bytesOf('junk', 40), inclLen: 0x7fffffff };
  const bytes = pcap({ records: [records[0], bad, records[1], records[2]] });
  const d = new PcapDecoder();
  const frames = decodeAll(d, bytes);
  assert.deepEqual(frames.map((f) => f.data.toString('latin1')), [records[0], records[1], records[2]].map((r) => r.data.toString('latin1')));
  assert.deepEqual(d.issues.map((i) => i.code), ['pcap.bad-record-length', 'pcap.resynchronised']);
  assert.equal(d.issues[0].offset, 24 + 16 + 60);
  // the same when split everywhere
  for (let a = 0; a < bytes.length; a += 7) assert.deepEqual(decodeAll(new PcapDecoder(), bytes, [a]), frames, `split at ${a}`);
});

test('pcap: a record that claims more bytes than it has is cut at the next header', () => {
  const short = { sec: 1700000001, frac: 7, data: bytesOf('short', 30), inclLen: 44, origLen: 44 };
  const bytes = pcap({ records: [records[0], short, records[1], records[2]] });
  const d = new PcapDecoder();
  const frames = decodeAll(d, bytes);
  assert.deepEqual(frames.map((f) => f.data.length), [60, 30, 33, 1]);
  assert.deepEqual(d.issues.map((i) => i.code), ['pcap.record-overrun']);
  for (let a = 0; a <= bytes.length; a++) {
    const split = new PcapDecoder();
    assert.deepEqual(decodeAll(split, bytes, [a]), frames, `split at ${a}`);
    assert.deepEqual(split.issues, d.issues, `split at ${a}`);
  }
});

test('pcap: header in one byte order, records in the other; NULL link carrying bare IP', () => {
  const ip = Buffer.concat([Buffer.from('4500001c000000004011000001020304050607080001000200080000', 'hex')]);
  const head = pcap({ le: false, linkType: LinkType.NULL, records: [] });
  const recs = pcap({ le: true, records: [{ sec: 1700000000, frac: 3, data: ip }] }).subarray(24);
  const d = new PcapDecoder();
  const frames = decodeAll(d, Buffer.concat([head, recs]));
  assert.equal(frames.length, 1);
  assert.equal(frames[0].linkType, LinkType.RAW);
  assert.deepEqual(d.issues.map((i) => i.code), ['pcap.record-byte-order', 'pcap.null-is-raw-ip']);
  const bytes = Buffer.concat([head, recs]);
  for (let a = 0; a <= bytes.length; a++) {
    const split = new PcapDecoder();
    assert.deepEqual(decodeAll(split, bytes, [a]), frames, `split at ${a}`);
    assert.deepEqual(split.issues.map((i) => i.code), ['pcap.record-byte-order', 'pcap.null-is-raw-ip'], `split at ${a}`);
  }
});

test('pcap: bad magic is fatal', () => {
  const d = new PcapDecoder();
  decodeAll(d, Buffer.alloc(64, 0x41));
  assert.equal(d.fatal?.code, 'pcap.bad-magic');
});

test('aboutsip cool.pcap (tshark refuses it): its SIP INVITE is recovered', () => {
  const bytes = readFileSync(join(CAPTURES, 'aboutsip-pkts-cool.pcap'));
  const d = new PcapDecoder();
  const frames = decodeAll(d, bytes);
  assert.ok(frames.length >= 1);
  const p = payloadOf(frames[0]);
  assert.ok(p);
  assert.equal(p.dstPort, 5090);
  assert.match(p.payload.toString('latin1'), /^INVITE sip:service@127\.0\.0\.1:5090 SIP\/2\.0\r\n[\s\S]*\r\n\r\nv=0/);
  assert.ok(d.issues.some((i) => i.code === 'pcap.record-byte-order'));
  assert.equal(d.fatal, undefined);
});
