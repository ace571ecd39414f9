/**
 * Header names and parameters such as `__proto__`, `constructor` and
 * `prototype` are data, never object machinery (issue 10): parsing them
 * pollutes no prototype, they are found as ordinary names, and an absent one
 * is absent (not `Object.prototype.constructor`).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, parseClause } from '../../src/calls/filter.js';
import { CallStore } from '../../src/calls/store.js';
import { displayName } from '../../src/compare/diff.js';
import { messageToJson } from '../../src/report/json.js';
import { getHeader, getHeaders, hasHeader } from '../../src/sip/headers.js';
import { parseNameAddr } from '../../src/sip/name-addr.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { parseSdp } from '../../src/sip/sdp.js';
import { parseUri } from '../../src/sip/uri.js';
import { parseVia } from '../../src/sip/via.js';

const NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];

function clean(): void {
  const probe: Record<string, unknown> = {};
  for (const k of ['polluted', 'x', 'y', 'evil']) assert.equal(probe[k], undefined, `Object.prototype.${k} appeared`);
  assert.equal(Object.keys(Object.prototype).length, 0);
}

const params = NAMES.map((n, i) => `;${n}=v${i}`).join('') + ';__proto__.polluted=1;constructor.prototype.evil=1';

function message(): Buffer {
  const lines = [
    'INVITE sip:bob@example.com SIP/2.0',
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1${params}`,
    `From: "A" <sip:alice@example.com${params}>;tag=1${params}`,
    'To: <sip:bob@example.com>',
    'Call-ID: proto@x',
    'CSeq: 1 INVITE',
    ...NAMES.map((n) => `${n}: header-${n}`),
    'Content-Type: application/sdp',
  ];
  const sdp = 'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n' +
    NAMES.map((n) => `a=${n}:1\r\na=rtpmap:${n} x/8000\r\n`).join('');
  return Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`);
}

test('header names like __proto__ are ordinary headers; absent ones are absent', () => {
  const msg = parseSipMessage(message())!;
  for (const n of NAMES) {
    assert.equal(getHeader(msg, n), `header-${n}`);
    assert.deepEqual(getHeaders(msg, n), [`header-${n}`]);
    assert.equal(hasHeader(msg, n), true);
  }
  const bare = parseSipMessage(Buffer.from('OPTIONS sip:x SIP/2.0\r\nCall-ID: 1\r\n\r\n'))!;
  for (const n of NAMES) {
    assert.equal(getHeader(bare, n), undefined);
    assert.equal(hasHeader(bare, n), false);
  }
  clean();
});

test('URI, Via and name-addr parameters named __proto__/constructor are own data, the prototype untouched', () => {
  const uri = parseUri(`sip:alice@example.com${params}?__proto__=h&constructor=h2`);
  const via = parseVia(`SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1${params}`)[0]!;
  const na = parseNameAddr(`"A" <sip:a@x>;tag=1${params}`);
  for (const map of [uri.params, via.params, na.params]) {
    // Parameter names are case-insensitive (RFC 3261 §19.1.4) and kept lower-cased.
    for (const [i, name] of NAMES.entries()) {
      const key = name.toLowerCase();
      assert.equal(Object.hasOwn(map, key), true, key);
      assert.equal(map[key], `v${i}`);
    }
    assert.equal(map['polluted'], undefined);
    assert.equal(typeof map['hasownproperty'], 'string');
  }
  assert.equal(uri.headers['__proto__'], 'h');
  assert.equal(uri.headers['constructor'], 'h2');
  // An absent parameter is absent, not inherited.
  const plain = parseUri('sip:a@x');
  for (const n of NAMES) assert.equal(plain.params[n.toLowerCase()], undefined, n);
  clean();
});

test('SDP attributes named __proto__ stay data', () => {
  const sdp = parseSdp(message().subarray(message().indexOf('v=0')));
  assert.ok(sdp.media.length === 1);
  assert.doesNotThrow(() => JSON.stringify(sdp));
  clean();
});

test('the call store, the filter and JSON output take __proto__ headers as data', () => {
  const store = new CallStore({ keep: () => true });
  store.add({ seq: 0, source: 0, frame: 1, sec: 1, nsec: 0, srcIp: '10.0.0.1', srcPort: 5060, dstIp: '10.0.0.2', dstPort: 5060, transport: 'udp', msg: parseSipMessage(message())! });
  const calls = store.calls();
  assert.equal(calls.length, 1);
  for (const n of NAMES) {
    assert.equal(calls.filter(compileFilter({ clauses: [parseClause(`has ${n}`)], condition: 'or' })).length, 1, `has ${n}`);
  }
  assert.equal(calls.filter(compileFilter({ clauses: [parseClause('has polluted')], condition: 'or' })).length, 0);
  const json = JSON.parse(JSON.stringify(messageToJson(calls[0]!.kept![0]!, 0))) as { raw: string };
  assert.match(json.raw, /__proto__: header-__proto__/);
  clean();
});

test('compare names headers like constructor as text, not as Object machinery', () => {
  for (const n of NAMES) assert.equal(typeof displayName(n), 'string', n);
  assert.equal(displayName('constructor'), 'Constructor');
  assert.equal(displayName('__proto__'), '__proto__');
  clean();
});
