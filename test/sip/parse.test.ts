import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { COMPACT_FORMS } from '../../src/sip/compact.js';
import { getHeader } from '../../src/sip/headers.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message.js';
import { basicHeaders, sipRequest, sipResponse } from '../helpers/sip-builders.js';

function parse(raw: Buffer, opts?: Parameters<typeof parseSipMessage>[1]): SipMessage {
  const m = parseSipMessage(raw, opts);
  assert.ok(m, 'expected a SIP message');
  return m;
}
const codes = (m: { issues: { code: string }[] }) => m.issues.map((i) => i.code);

test('clean INVITE: start line, ordered headers, body, no issues', () => {
  const raw = sipRequest({ body: 'v=0\r\n' });
  const m = parse(raw) as SipRequest;
  assert.equal(m.kind, 'request');
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uri, 'sip:bob@example.com');
  assert.equal(m.version, 'SIP/2.0');
  assert.deepEqual(m.headers.map((h) => h.name), ['via', 'max-forwards', 'to', 'from', 'call-id', 'cseq', 'content-length']);
  assert.equal(m.headers[4]!.rawName, 'Call-ID');
  assert.equal(raw.toString('latin1', m.headers[0]!.start, m.headers[0]!.end), 'Via: SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776asdhds');
  assert.equal(m.body.toString(), 'v=0\r\n');
  assert.equal(m.bodyOffset, raw.length - 5);
  assert.equal(m.raw, raw);
  assert.deepEqual(m.issues, []);
});

test('response start line', () => {
  const m = parse(sipResponse({ status: 486, reason: 'Busy Here' })) as SipResponse;
  assert.equal(m.kind, 'response');
  assert.equal(m.status, 486);
  assert.equal(m.reason, 'Busy Here');
  assert.deepEqual(m.issues, []);
});

test('not SIP gives null', () => {
  assert.equal(parseSipMessage(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), null);
  assert.equal(parseSipMessage(Buffer.from([0x80, 0x08, 1, 2, 3])), null);
  assert.equal(parseSipMessage(Buffer.from('\r\n\r\n')), null);
});

test('leading CRLFs are skipped (RFC 3261 §7.5)', () => {
  const raw = Buffer.concat([Buffer.from('\r\n\r\n'), sipRequest()]);
  const m = parse(raw);
  assert.equal(getHeader(m, 'call-id'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(m.headers[0]!.start, 4 + 'INVITE sip:bob@example.com SIP/2.0\r\n'.length);
});

test('every compact form maps to its long name', () => {
  const letters = Object.keys(COMPACT_FORMS);
  assert.deepEqual(letters.sort(), 'a b c d e f i j k l m n o r s t u v x y'.split(' '));
  const headers = letters.map((l): [string, string] => [l, `value-${l}`]);
  const m = parse(sipRequest({ headers, contentLength: null }));
  for (const l of letters) {
    const h = m.headers.find((x) => x.rawName === l);
    assert.ok(h, l);
    assert.equal(h.name, COMPACT_FORMS[l]);
    assert.equal(getHeader(m, COMPACT_FORMS[l]!), l === 'l' ? 'value-l' : `value-${l}`);
  }
  // Upper-case compact letters too (names are case-insensitive).
  assert.equal(parse(sipRequest({ headers: [['I', 'abc'], ['V', 'SIP/2.0/UDP h']] })).headers[0]!.name, 'call-id');
});

test('case-insensitive names and whitespace before the colon', () => {
  const m = parse(sipRequest({ headers: [['cALL-iD', 'x1'], ['CSEQ ', '1 INVITE'], ['Via\t', 'SIP/2.0/UDP h']] }));
  assert.deepEqual(m.headers.slice(0, 3).map((h) => [h.name, h.value]), [['call-id', 'x1'], ['cseq', '1 INVITE'], ['via', 'SIP/2.0/UDP h']]);
  assert.equal(m.headers[1]!.rawName, 'CSEQ');
});

test('LF-only line ends', () => {
  const m = parse(sipRequest({ eol: '\n', body: 'hello' }));
  assert.equal(getHeader(m, 'cseq'), '314159 INVITE');
  assert.equal(m.body.toString(), 'hello');
  assert.deepEqual(m.issues, []);
});

test('mixed line ends', () => {
  const raw = Buffer.from('BYE sip:a@b SIP/2.0\nVia: SIP/2.0/TCP h\r\nFrom: <sip:x@y>;tag=1\nTo: <sip:a@b>\r\n' +
    'Call-ID: c1\nCSeq: 2 BYE\r\nContent-Length: 3\n\r\nabc');
  const m = parse(raw) as SipRequest;
  assert.equal(m.method, 'BYE');
  assert.equal(getHeader(m, 'to'), '<sip:a@b>');
  assert.equal(m.body.toString(), 'abc');
  assert.deepEqual(m.issues, []);
});

test('folded header (RFC 3261 §7.3.1) is one header, legal, no issue', () => {
  const headers = basicHeaders();
  headers.push(['Subject', 'I know you\'re there,\r\n   pick up the phone\r\n\tand talk to me!']);
  const raw = sipRequest({ headers });
  const m = parse(raw);
  const subj = m.headers.find((h) => h.name === 'subject')!;
  assert.equal(subj.value, 'I know you\'re there, pick up the phone and talk to me!');
  assert.ok(raw.toString('latin1', subj.start, subj.end).endsWith('and talk to me!'));
  assert.deepEqual(m.issues, []);
});

test('repeated headers keep order', () => {
  const headers = basicHeaders();
  headers.unshift(['Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK1']);
  const m = parse(sipRequest({ headers }));
  assert.deepEqual(m.headers.filter((h) => h.name === 'via').map((h) => h.value.split(' ')[1]),
    ['proxy.example.com;branch=z9hG4bK1', 'pc33.example.com:5060;branch=z9hG4bK776asdhds']);
});

test('header line without a colon: issue, other headers still parsed', () => {
  const headers = basicHeaders();
  headers.splice(2, 0, ['BrokenLineWithoutColon', '']);
  const raw = Buffer.from(sipRequest({ headers }).toString('latin1').replace('BrokenLineWithoutColon: ', 'BrokenLineWithoutColon'), 'latin1');
  const m = parse(raw);
  assert.deepEqual(codes(m), ['sip.header-no-colon']);
  assert.equal(m.issues[0]!.offset, raw.indexOf('BrokenLine'));
  assert.equal(getHeader(m, 'call-id'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(m.headers.length, 7);
});

test('empty header name and bad name bytes', () => {
  const m = parse(sipRequest({ headers: [...basicHeaders(), [' ', 'x'], ['Bad Name', 'y']] }));
  // ' : x' begins with a space, so it is a continuation of the previous header (folding).
  assert.equal(getHeader(m, 'cseq'), '314159 INVITE : x');
  assert.deepEqual(codes(m), ['sip.bad-header-name']);
  assert.equal(m.headers.find((h) => h.rawName === 'Bad Name')!.value, 'y');
  const e = parse(Buffer.from('OPTIONS sip:a SIP/2.0\r\n: novalue\r\nCall-ID: 1\r\n\r\n'));
  assert.ok(codes(e).includes('sip.header-empty-name'));
  assert.equal(getHeader(e, 'call-id'), '1');
});

test('continuation with nothing to continue', () => {
  const m = parse(Buffer.from('OPTIONS sip:a SIP/2.0\r\n  orphan\r\nCall-ID: 1\r\n\r\n'));
  assert.ok(codes(m).includes('sip.orphan-continuation'));
  assert.equal(getHeader(m, 'i'), '1');
});

test('NUL bytes are reported and do not stop parsing', () => {
  const headers = basicHeaders();
  headers.push(['X-Nul', 'a\u0000b']);
  const raw = sipRequest({ headers });
  const m = parse(raw);
  assert.deepEqual(codes(m), ['sip.nul-byte']);
  assert.equal(m.issues[0]!.offset, raw.indexOf(0));
  assert.equal(getHeader(m, 'x-nul'), 'a\u0000b');
  assert.equal(getHeader(m, 'content-length'), '0');
});

test('non-UTF-8 (Latin-1) display name: decoded, raw bytes kept, issue', () => {
  const headers = basicHeaders();
  headers[3] = ['From', '"Andr\u00e9" <sip:andre@example.com>;tag=9'];
  const raw = sipRequest({ headers, encoding: 'latin1' });
  const m = parse(raw);
  assert.deepEqual(codes(m), ['sip.invalid-utf8']);
  const from = m.headers.find((h) => h.name === 'from')!;
  assert.ok(raw.subarray(from.start, from.end).includes(Buffer.from([0xe9])));
  assert.equal(from.value, '"Andr\uFFFD" <sip:andre@example.com>;tag=9');
  // Proper UTF-8 is clean.
  assert.deepEqual(codes(parse(sipRequest({ headers }))), []);
});

test('missing final empty line', () => {
  const m = parse(sipRequest({ noBlankLine: true }));
  assert.deepEqual(codes(m), ['sip.no-header-end']);
  assert.equal(getHeader(m, 'call-id'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(m.body.length, 0);
  // A last header without any line end at all.
  const n = parse(Buffer.from('SIP/2.0 200 OK\r\nCall-ID: z'));
  assert.equal(getHeader(n, 'call-id'), 'z');
  assert.ok(codes(n).includes('sip.no-header-end'));
});

test('Content-Length: bad / absent / larger / smaller / duplicate', () => {
  const bad = parse(sipRequest({ contentLength: 'bad', body: 'xyz' }));
  assert.deepEqual(codes(bad), ['sip.bad-content-length']);
  assert.equal(bad.body.toString(), 'xyz');
  assert.equal(getHeader(bad, 'call-id'), 'a84b4c76e66710@pc33.example.com');

  const absent = parse(sipRequest({ contentLength: null, body: 'to the end' }));
  assert.deepEqual(codes(absent), []); // legal over UDP (RFC 3261 §18.3)
  assert.equal(absent.body.toString(), 'to the end');

  const big = parse(sipRequest({ contentLength: 50, body: 'short' }));
  assert.deepEqual(codes(big), ['sip.body-truncated']);
  assert.equal(big.body.toString(), 'short');

  const small = parse(sipRequest({ contentLength: 2, body: 'abcdef' }));
  assert.deepEqual(codes(small), ['sip.body-extra-bytes']);
  assert.equal(small.body.toString(), 'ab');
  assert.equal(small.issues[0]!.offset, small.bodyOffset + 2);

  const dup = parse(sipRequest({ headers: [...basicHeaders(), ['l', '3']], body: 'abc' }));
  assert.deepEqual(codes(dup), ['sip.duplicate-content-length']);
  assert.equal(dup.body.toString(), 'abc');

  const neg = parse(sipRequest({ contentLength: '-1' }));
  assert.deepEqual(codes(neg), ['sip.bad-content-length']);
});

test('bad status codes', () => {
  for (const [status, want] of [['2000', 0], ['abc', 0], ['099', 99], ['700', 700], ['', 0]] as const) {
    const m = parse(sipResponse({ status })) as SipResponse;
    assert.deepEqual(codes(m), ['sip.bad-status-code'], String(status));
    assert.equal(m.status, want);
    assert.equal(getHeader(m, 'cseq'), '314159 INVITE');
  }
  const noReason = parse(Buffer.from('SIP/2.0 200\r\nCall-ID: 1\r\n\r\n')) as SipResponse;
  assert.equal(noReason.status, 200);
  assert.equal(noReason.reason, '');
  assert.ok(!codes(noReason).includes('sip.bad-status-code'));
});

test('missing mandatory headers are each reported', () => {
  const m = parse(sipRequest({ headers: [['Call-ID', 'only']] }));
  assert.deepEqual(m.issues.filter((i) => i.code === 'sip.missing-header').map((i) => i.detail),
    ['CSeq header missing', 'From header missing', 'To header missing', 'Via header missing']);
  assert.equal(getHeader(m, 'call-id'), 'only');
});

test('limits: maxHeaders and maxHeaderBytes are reported, never silent', () => {
  const many = [...basicHeaders(), ...Array.from({ length: 20 }, (_, i): [string, string] => [`X-H${i}`, 'v'])];
  const m = parse(sipRequest({ headers: many, body: 'BODY' }), { maxHeaders: 10 });
  assert.ok(codes(m).includes('sip.too-many-headers'));
  assert.equal(m.headers.length, 10);
  assert.equal(m.body.toString(), 'BODY'); // the end of headers is still found
  const long = parse(sipRequest({ headers: many, body: 'BODY' }), { maxHeaderBytes: 200 });
  assert.ok(codes(long).includes('sip.headers-too-long'));
  assert.ok(long.headers.length < many.length);
  assert.equal(long.body.toString(), 'BODY');
});

test('unknown methods are ordinary requests (open set)', () => {
  const m = parse(sipRequest({ method: 'FROBNICATE', uri: 'urn:x-foo:bar' })) as SipRequest;
  assert.equal(m.method, 'FROBNICATE');
  assert.equal(m.uri, 'urn:x-foo:bar');
  assert.deepEqual(m.issues, []);
});

test('the Zeek "Content-Length: bad" shape', () => {
  const raw = Buffer.from('INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>\r\nTo: <sip:x@y>\r\n' +
    'Call-ID: zeek\r\nCSeq: 1 INVITE\r\nContent-Length: bad\r\n\r\n');
  const m = parse(raw);
  assert.deepEqual(codes(m), ['sip.bad-content-length']);
  assert.equal(getHeader(m, 'call-id'), 'zeek');
});
