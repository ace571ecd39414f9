import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { getHeader, getHeaders, hasHeader, splitList } from '../../src/sip/headers.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { basicHeaders, sipRequest } from '../helpers/sip-builders.js';

function msg(extra: Array<[string, string]>) {
  const m = parseSipMessage(sipRequest({ headers: [...basicHeaders(), ...extra] }));
  assert.ok(m);
  return m;
}

test('getHeader by long, compact or any-case name', () => {
  const m = msg([['m', '<sip:alice@192.0.2.4>']]);
  for (const n of ['contact', 'Contact', 'CONTACT', 'm', 'M']) assert.equal(getHeader(m, n), '<sip:alice@192.0.2.4>');
  assert.equal(getHeader(m, 'i'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(getHeader(m, 'x-absent'), undefined);
  assert.equal(hasHeader(m, 'v'), true);
  assert.equal(hasHeader(m, 'subject'), false);
});

test('list headers: repeated lines and comma-joined values give the same list', () => {
  const joined = msg([['Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'], ['Route', '<sip:p3.example.com;lr>']]);
  assert.deepEqual(getHeaders(joined, 'route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>']);
  assert.equal(getHeader(joined, 'route'), '<sip:p1.example.com;lr>');
  const allow = msg([['Allow', 'INVITE, ACK,CANCEL ,,BYE']]);
  assert.deepEqual(getHeaders(allow, 'allow'), ['INVITE', 'ACK', 'CANCEL', 'BYE']);
});

test('comma splitting respects quotes, escapes and <>', () => {
  const m = msg([['Contact', '"Doe, John \\"JD\\"" <sip:jd@a.example;x=1,2>;q=0.7, <sip:jd@b.example>;q=0.1']]);
  assert.deepEqual(getHeaders(m, 'm'), ['"Doe, John \\"JD\\"" <sip:jd@a.example;x=1,2>;q=0.7', '<sip:jd@b.example>;q=0.1']);
});

test('non-list headers with commas are never split', () => {
  const m = msg([['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'], ['WWW-Authenticate', 'Digest realm="a", nonce="b"']]);
  assert.deepEqual(getHeaders(m, 'date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
  assert.equal(getHeader(m, 'www-authenticate'), 'Digest realm="a", nonce="b"');
});

test('Via list from compact and long lines mixed', () => {
  const m = msg([['v', 'SIP/2.0/UDP a;branch=1, SIP/2.0/UDP b;branch=2']]);
  assert.deepEqual(getHeaders(m, 'via').map((v) => v.split(' ')[1]),
    ['pc33.example.com:5060;branch=z9hG4bK776asdhds', 'a;branch=1', 'b;branch=2']);
});

test('splitList edge cases', () => {
  assert.deepEqual(splitList(''), []);
  assert.deepEqual(splitList(' , ,'), []);
  assert.deepEqual(splitList('"unclosed, quote'), ['"unclosed, quote']);
  assert.deepEqual(splitList('a>,b'), ['a>', 'b']);
});
