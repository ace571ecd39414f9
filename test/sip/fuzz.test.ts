import { fuzzParams } from '../helpers/fuzz.js';
/**
 * Property tests (fast-check): hostile bytes never throw, and the framer's
 * output does not depend on how the stream is chunked.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Issue } from '../../src/core/issue.js';
import { parseCSeq } from '../../src/sip/cseq.js';
import { SipStreamFramer } from '../../src/sip/framer.js';
import { parseNameAddr } from '../../src/sip/name-addr.js';
import { normaliseNumber } from '../../src/sip/number.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { parseSdp } from '../../src/sip/sdp.js';
import { parseUri } from '../../src/sip/uri.js';
import { parseVia } from '../../src/sip/via.js';
import { sdpOffer, sipRequest, sipResponse } from '../helpers/sip-builders.js';

const pieces = ['INVITE sip:a@b SIP/2.0', 'SIP/2.0 200 OK', '\r\n', '\n', ':', ';', ',', '<', '>', '"', '\\', '[', ']', ' ', '\t',
  'Via', 'v', 'l', 'Content-Length', '0', '99999', 'sip:', 'tel:+1', '@', '\u0000', '\u00e9', 'SIP/2.0/UDP', 'branch=', '=', '?', '&'];
const sipish = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 8 })), { maxLength: 60 }).map((a) => a.join(''));

test('header-value parsers never throw', () => {
  fc.assert(fc.property(sipish, (s) => {
    parseUri(s); parseNameAddr(s); parseVia(s); parseCSeq(s); normaliseNumber(s); parseSdp(s);
  }), fuzzParams(3000));
});

test('parseSipMessage never throws and keeps spans inside raw', () => {
  fc.assert(fc.property(fc.oneof(sipish.map((s) => Buffer.from(s, 'latin1')), fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u))), (raw) => {
    const m = parseSipMessage(raw);
    if (m === null) return;
    for (const h of m.headers) assert.ok(h.start >= 0 && h.start < h.end && h.end <= raw.length);
    assert.ok(m.bodyOffset <= raw.length);
  }), fuzzParams(3000));
});

test('framer output is independent of chunking', () => {
  const msgs = [sipRequest({ body: sdpOffer() }), sipResponse(), sipRequest({ method: 'BYE', eol: '\n' }), Buffer.from('\r\n\r\n'), Buffer.from('junk\r\n'),
    sipRequest({ method: 'OPTIONS', contentLength: null }), sipRequest({ contentLength: 'x', body: 'b\r\n' }),
    Buffer.from('INVITE sip:a SIP/2.0\r\nl: 5\r\n\r\nab'), Buffer.from('xx')];
  const run = (chunks: Buffer[]) => {
    const out: string[] = [];
    const emit = (r: Buffer, i: Issue[]) => out.push(`${r.toString('latin1')}|${i.map((x) => `${x.code}@${x.offset}`).join()}`);
    const f = new SipStreamFramer();
    for (const c of chunks) f.push(c, emit);
    f.end(emit);
    return out;
  };
  fc.assert(fc.property(
    fc.array(fc.nat(msgs.length - 1), { minLength: 1, maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 6 }),
    (order, cuts) => {
      const stream = Buffer.concat(order.map((i) => msgs[i]!));
      const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const c of [...at, stream.length]) { chunks.push(stream.subarray(prev, c)); prev = c; }
      assert.deepEqual(run(chunks), run([stream]));
    }), fuzzParams(500));
});
