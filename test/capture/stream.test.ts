import test from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { StreamCaptureDecoder, readCaptureStream } from '../../src/capture/stream.js';
import type { Frame } from '../../src/capture/frame.js';
import { sipPcap } from '../helpers/sip-pcap.js';
import { improperCallerId } from '../cli/shell/scenarios.js';

const file = sipPcap(improperCallerId());

test('a live stream starts decoding from the 24-byte header, before 4 KiB arrive', () => {
  const d = new StreamCaptureDecoder();
  const frames: Frame[] = [];
  const firstRecordEnd = 24 + 16 + file.readUInt32LE(24 + 8);
  d.push(file.subarray(0, 3), (f) => frames.push(f));
  assert.equal(d.format, 'unknown');
  d.push(file.subarray(3, firstRecordEnd), (f) => frames.push(f));
  assert.equal(d.format, 'pcap');
  // The pcap reader checks a record's length against the next record header, so a
  // packet comes out when the next one starts (or at end()) — well before 4 KiB.
  d.push(file.subarray(firstRecordEnd, firstRecordEnd + 16), (f) => frames.push(f));
  assert.equal(frames.length, 1, 'the first packet is out');
  assert.ok(firstRecordEnd + 16 < 4096);
});

test('every split of the stream yields the same frames', () => {
  for (const at of [1, 4, 23, 24, 25, 40, 100, file.length - 1]) {
    const d = new StreamCaptureDecoder();
    const frames: Frame[] = [];
    d.push(file.subarray(0, at), (f) => frames.push(f));
    d.push(file.subarray(at), (f) => frames.push(f));
    d.end((f) => frames.push(f));
    assert.equal(frames.length, 4, `split at ${at}`);
    assert.equal(d.frames, 4);
  }
});

test('a stream that is no capture says so', async () => {
  const d = await readCaptureStream(Readable.from([Buffer.from('hello world, not a capture\n'.repeat(200))]), () => {});
  assert.equal(d.fatal?.code, 'capture.unknown-format');
  const short = await readCaptureStream(Readable.from([Buffer.from('hi')]), () => {});
  assert.equal(short.fatal?.code, 'capture.unknown-format');
});

test('live: a pcap record is counted as soon as it is whole, before the next record header arrives', () => {
  const firstRecordEnd = 24 + 16 + file.readUInt32LE(24 + 8);
  const live = new StreamCaptureDecoder({ live: true });
  const frames: Frame[] = [];
  live.push(file.subarray(0, firstRecordEnd - 1), (f) => frames.push(f));
  assert.equal(frames.length, 0, 'one byte short: nothing yet');
  live.push(file.subarray(firstRecordEnd - 1, firstRecordEnd), (f) => frames.push(f));
  assert.equal(frames.length, 1, 'the whole first record is out with no byte of the second');
  assert.equal(live.frames, 1);
  // The file reader (not live) still waits for the next header to check the length.
  const file2 = new StreamCaptureDecoder();
  const later: Frame[] = [];
  file2.push(file.subarray(0, firstRecordEnd), (f) => later.push(f));
  assert.equal(later.length, 0);
  // Both read the whole stream alike.
  live.push(file.subarray(firstRecordEnd), (f) => frames.push(f));
  live.end((f) => frames.push(f));
  file2.push(file.subarray(firstRecordEnd), (f) => later.push(f));
  file2.end((f) => later.push(f));
  assert.deepEqual(frames.map((f) => f.data.length), later.map((f) => f.data.length));
});
