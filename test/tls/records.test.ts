/**
 * The record layer push parser: records split at every offset come out whole and
 * in order; after lost bytes it finds the next header; a stream that ends inside
 * a record is reported; bodies of undecryptable streams are skipped, not kept.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { TlsRecordParser, type TlsRecord } from '../../src/tls/records.js';
import { record } from './forge.js';

const stream = Buffer.concat([
  record(22, Buffer.alloc(40, 1), 0x0301),
  record(20, Buffer.of(1)),
  record(23, Buffer.alloc(300, 3)),
  record(23, Buffer.alloc(7, 4)),
]);
const brief = (r: TlsRecord) => [r.type, r.length, r.fragment.length, r.offset, r.afterGap];
const WANT = [[22, 40, 40, 0, false], [20, 1, 1, 45, false], [23, 300, 300, 51, false], [23, 7, 7, 356, false]];

test('records split at every offset (and byte by byte) come out whole', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const p = new TlsRecordParser();
    const got: unknown[] = [];
    p.push(stream.subarray(0, cut), (r) => got.push(brief(r)));
    p.push(stream.subarray(cut), (r) => got.push(brief(r)));
    p.end();
    assert.deepEqual(got, WANT, `cut at ${cut}`);
    assert.deepEqual(p.issues, []);
  }
  const p = new TlsRecordParser();
  const got: unknown[] = [];
  for (const b of stream) p.push(Buffer.of(b), (r) => got.push(brief(r)));
  assert.deepEqual(got, WANT);
});

test('skipBodies: headers only, nothing buffered, at every offset', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const p = new TlsRecordParser();
    p.skipBodies = true;
    const got: unknown[] = [];
    p.push(stream.subarray(0, cut), (r) => got.push(brief(r)));
    p.push(stream.subarray(cut), (r) => got.push(brief(r)));
    assert.deepEqual(got, WANT.map(([t, l, , o, g]) => [t, l, 0, o, g]), `cut at ${cut}`);
  }
});

test('after a gap the next plausible header is found; the record says so', () => {
  const p = new TlsRecordParser();
  const got: unknown[] = [];
  p.push(stream.subarray(0, 60), (r) => got.push(brief(r)));
  p.gap();
  // Resume in the middle of the 300-byte record.
  p.push(stream.subarray(200), (r) => got.push([r.type, r.length, r.afterGap]));
  assert.deepEqual(got, [[22, 40, 40, 0, false], [20, 1, 1, 45, false], [23, 7, true]]);
});

test('garbage instead of a header is an issue; the parser resynchronises', () => {
  const p = new TlsRecordParser();
  const got: unknown[] = [];
  p.push(Buffer.concat([record(23, Buffer.alloc(10)), Buffer.from('GET / HTTP/1.1\r\n'), record(23, Buffer.alloc(10, 1)), record(23, Buffer.alloc(3, 2))]), (r) => got.push([r.type, r.length, r.afterGap]));
  assert.deepEqual(got, [[23, 10, false], [23, 10, true], [23, 3, false]]);
  assert.deepEqual(p.issues.map((i) => i.code), ['tls.bad-record']);
});

test('a stream that ends inside a record is reported as tls.truncated', () => {
  const p = new TlsRecordParser();
  let n = 0;
  p.push(stream.subarray(0, 100), () => n++);
  p.end();
  assert.equal(n, 2);
  assert.deepEqual(p.issues.map((i) => [i.code, i.detail, i.offset]), [['tls.truncated', 'the stream ended inside a TLS record (49 of 305 bytes)', 51]]);
});
