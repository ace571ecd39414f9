import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { sipStartLineKind, startLineState } from '../../src/sip/detect.js';

const b = (s: string) => Buffer.from(s, 'latin1');

test('requests with any method token and any URI scheme', () => {
  for (const line of [
    'INVITE sip:bob@example.com SIP/2.0\r\n',
    'REGISTER sips:registrar.example.com SIP/2.0\n',
    'FOOBAR tel:+15551234 SIP/2.0\r\n',
    'MESSAGE urn:service:sos sip/2.0\r\n', // version is case-insensitive
    'X-Custom.Method! im:alice@example.com SIP/2.0\r\n',
  ]) assert.equal(sipStartLineKind(b(line)), 'request', line);
});

test('responses, version case-insensitive', () => {
  assert.equal(sipStartLineKind(b('SIP/2.0 200 OK\r\n')), 'response');
  assert.equal(sipStartLineKind(b('sip/2.0 180 Ringing\n')), 'response');
  assert.equal(sipStartLineKind(b('SIP/2.0 2xx broken\r\n')), 'response'); // the parser reports the code
});

test('rejects what is not SIP', () => {
  for (const s of [
    'GET / HTTP/1.1\r\n', 'HTTP/1.1 200 OK\r\n', 'INVITE sip:bob SIP/2.1\r\n', 'INVITE  sip:bob SIP/2.0\r\n',
    'INVITE bob SIP/2.0\r\n', 'INVITE sip:bob SIP/2.0 \r\n', 'INVITE sip:bob SIP/2.0\rX', 'SIP/2.0\r\n',
    '\x80\x00\x12\x34rtp', '', '\r\n\r\n', 'INV\x00ITE sip:a SIP/2.0\r\n', 'SIP/3.0 200 OK\r\n',
  ]) assert.equal(sipStartLineKind(b(s)), null, JSON.stringify(s));
});

test('offset parameter', () => {
  const buf = b('junk\r\nBYE sip:a@b SIP/2.0\r\n');
  assert.equal(sipStartLineKind(buf, 0), null);
  assert.equal(sipStartLineKind(buf, 6), 'request');
});

test('incomplete prefixes of a start line are incomplete, never null', () => {
  for (const full of ['OPTIONS sip:a@b.example SIP/2.0\r\n', 'SIP/2.0 100 Trying\r\n']) {
    for (let n = 0; n < full.length - 1; n++) {
      const st = startLineState(b(full.slice(0, n)));
      assert.ok(st === 'incomplete' || st === 'response', `${JSON.stringify(full.slice(0, n))}: ${st}`);
    }
  }
  assert.equal(startLineState(b('INVITE sip:a SIP/2.0\r')), 'incomplete');
  assert.equal(startLineState(b('\x80')), null);
});
