/**
 * HEPv3 over TCP framing: whole packets out however the stream is cut, junk
 * skipped to the next "HEP3" and counted once per run, the buffer bounded.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HepFramer } from '../../src/capture/hep-framer.js';
import { hep3 } from '../helpers/packet-builders.js';
import { request } from '../helpers/messages.js';

const sip = (id: string): string => request('INVITE', { callId: id }).replace(/\n/g, '\r\n');
const packets = [hep3({}, sip('a')), hep3({ compress: true }, sip('b')), hep3({ authKey: 'k' }, sip('c'))];
const stream = Buffer.concat(packets);

function frameAll(chunks: Buffer[]): { out: Buffer[]; framer: HepFramer } {
  const framer = new HepFramer();
  const out: Buffer[] = [];
  for (const c of chunks) framer.push(c, (p) => out.push(Buffer.from(p)));
  return { out, framer };
}

test('several packets in one chunk come out one by one', () => {
  const { out, framer } = frameAll([stream]);
  assert.deepEqual(out, packets);
  assert.equal(framer.buffered, 0);
  assert.deepEqual(framer.stats, { packets: 3, junkRuns: 0, junkBytes: 0 });
});

test('the stream split at every offset, and byte by byte, gives the same packets', () => {
  for (let cut = 1; cut < stream.length; cut++) {
    assert.deepEqual(frameAll([stream.subarray(0, cut), stream.subarray(cut)]).out, packets, `cut at ${cut}`);
  }
  const bytes = [...stream].map((b) => Buffer.from([b]));
  assert.deepEqual(frameAll(bytes).out, packets);
});

test('junk before, between and after packets is skipped and counted once per run', () => {
  const junk = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  const { out, framer } = frameAll([junk, packets[0]!, junk, junk, packets[1]!, Buffer.from('HE')]);
  assert.deepEqual(out, [packets[0], packets[1]]);
  assert.deepEqual(framer.stats, { packets: 2, junkRuns: 2, junkBytes: 3 * junk.length });
  assert.equal(framer.buffered, 2, 'a trailing "HE" may still start a packet');
  assert.equal(framer.end(), 2, 'at the end it is a cut packet');
  assert.equal(framer.stats.junkRuns, 3);
});

test('a length below the smallest packet is junk, not a loop', () => {
  const bad = Buffer.from(packets[0]!);
  bad.writeUInt16BE(3, 4);
  const { out, framer } = frameAll([bad, packets[1]!]);
  assert.deepEqual(out, [packets[1]]);
  assert.equal(framer.stats.junkRuns, 1);
});

test('a partial packet is held (at most 64 KiB) until the rest arrives; end() drops it', () => {
  const big = hep3({}, Buffer.alloc(65000, 0x41));
  const framer = new HepFramer();
  framer.push(big.subarray(0, 60000), () => assert.fail('not whole yet'));
  assert.equal(framer.buffered, 60000);
  assert.equal(framer.end(), 60000);
  assert.equal(framer.buffered, 0);
});

test('random bytes and random cuts never throw and never buffer more than one packet', () => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.boolean(), (chunks, withMagic) => {
    const framer = new HepFramer();
    for (const c of chunks) {
      const b = Buffer.from(c);
      if (withMagic && b.length > 6) b.write('HEP3', 0);
      framer.push(b, (p) => assert.ok(p.length >= 12 && p.subarray(0, 4).toString() === 'HEP3'));
      assert.ok(framer.buffered <= 65535);
    }
    framer.end();
  }));
});
