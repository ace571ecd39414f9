/**
 * The ingest scan against the full parser: whenever the scan accepts a
 * message, the full parser finds no issue in it and the spans hold the values
 * `getHeader` returns; odd messages are refused (and then parsed fully).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import fc from 'fast-check';
import { sipStartLineKind } from '../../src/sip/detect.js';
import { getHeader, getHeaders } from '../../src/sip/headers.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { HeaderCode, isCleanScan, scanSipMessage, type ScannedMessage } from '../../src/sip/scan.js';
import { basicHeaders, sdpOffer, sipRequest, sipResponse } from '../helpers/sip-builders.js';

function scan(raw: Buffer): ScannedMessage | null {
  const kind = sipStartLineKind(raw);
  assert.ok(kind, 'test input starts with a start line');
  const s = scanSipMessage(raw, kind);
  assert.equal(scanSipMessage(raw, kind, false) === null, s === null, 'the scan without header names accepts the same');
  return s;
}

/** The values a scan found, all but the header names. */
function spans(s: ScannedMessage): unknown {
  return {
    kind: s.kind, start: s.kind === 'request' ? s.method : s.status, bodyOffset: s.bodyOffset, callId: [s.callIdS, s.callIdE], cseq: [s.cseqS, s.cseqE],
    via: [s.viaS, s.viaE], from: [s.fromS, s.fromE], to: [s.toS, s.toE], extra: s.extra,
  };
}

function span(raw: Buffer, s: number, e: number): string | undefined {
  return s < 0 ? undefined : raw.toString('utf8', s, e);
}

/** Whatever the scan accepted must agree with the full parse. */
function checkAgainstParse(raw: Buffer): ScannedMessage | null {
  const kind = sipStartLineKind(raw);
  if (kind === null) return null;
  const s = scanSipMessage(raw, kind);
  // Without names the scan classifies names by their bytes instead of interning them: the same
  // values wherever the interning scan answers (it may refuse a name once its cache is full).
  const bare = scanSipMessage(raw, kind, false);
  if (s !== null) assert.deepEqual(bare && spans(bare), spans(s));
  if (bare !== null) assert.deepEqual(bare.names.names, []);
  if (s === null) return null;
  const full = parseSipMessage(raw)!;
  assert.deepEqual(full.issues, [], 'a scanned message is clean');
  assert.equal(s.kind, full.kind);
  if (s.kind === 'request' && full.kind === 'request') assert.equal(s.method, full.method);
  if (s.kind === 'response' && full.kind === 'response') assert.equal(s.status, full.status);
  assert.equal(s.bodyOffset, full.bodyOffset);
  assert.equal(span(raw, s.callIdS, s.callIdE), getHeader(full, 'call-id'));
  assert.equal(span(raw, s.cseqS, s.cseqE), getHeader(full, 'cseq'));
  assert.equal(span(raw, s.fromS, s.fromE), getHeader(full, 'from'));
  assert.equal(span(raw, s.toS, s.toE), getHeader(full, 'to'));
  assert.equal(span(raw, s.viaS, s.viaE), full.headers.find((h) => h.name === 'via')?.value);
  assert.deepEqual(s.names.names, full.headers.map((h) => h.name));
  const extra = (code: number): string[] => {
    const out: string[] = [];
    for (let i = 0; s.extra && i < s.extra.length; i += 3) if (s.extra[i] === code) out.push(raw.toString('utf8', s.extra[i + 1], s.extra[i + 2]));
    return out;
  };
  assert.deepEqual(extra(HeaderCode.DIVERSION), full.headers.filter((h) => h.name === 'diversion').map((h) => h.value));
  assert.deepEqual(extra(HeaderCode.PAI), full.headers.filter((h) => h.name === 'p-asserted-identity').map((h) => h.value));
  return s;
}

test('a clean request and response are scanned; lazy fields come from the full parse', () => {
  const raw = sipRequest({ headers: [...basicHeaders(), ['Diversion', '<sip:+4930@gw>;reason=busy'], ['Content-Type', 'application/sdp']], body: sdpOffer() });
  const s = checkAgainstParse(raw);
  assert.ok(s && s.kind === 'request');
  assert.equal(s.method, 'INVITE');
  assert.equal(s.uri, 'sip:bob@example.com');
  assert.equal(s.version, 'SIP/2.0');
  assert.equal(s.body.toString(), sdpOffer());
  assert.equal(getHeader(s, 'call-id'), 'a84b4c76e66710@pc33.example.com');
  assert.deepEqual(getHeaders(s, 'diversion'), ['<sip:+4930@gw>;reason=busy']);
  assert.ok(isCleanScan(s));
  const r = checkAgainstParse(sipResponse({ status: 486, reason: 'Busy Here' }));
  assert.ok(r && r.kind === 'response');
  assert.equal(r.status, 486);
  assert.equal(r.reason, 'Busy Here');
});

test('compact names, spaces before the colon and bare LF are still clean', () => {
  const headers: Array<[string, string]> = [['v', 'SIP/2.0/UDP h;branch=z9hG4bK1'], ['f', '<sip:a@b>;tag=1'], ['t', '<sip:c@d>'], ['i', 'x1'], ['CSeq', '1 INVITE']];
  assert.ok(checkAgainstParse(sipRequest({ headers })));
  const shouted: Array<[string, string]> = [['V', 'SIP/2.0/UDP h'], ['FROM', '<sip:a@b>'], ['tO', '<sip:c@d>'], ['CALL-ID', 'x2'], ['cseq', '1 INVITE'],
    ['I-Call-ID', 'not me'], ['P-ASSERTED-IDENTITY', '<sip:+4930@gw>'], ['L', '0']];
  assert.ok(checkAgainstParse(sipRequest({ headers: shouted, contentLength: null })));
  assert.ok(checkAgainstParse(Buffer.from('OPTIONS sip:a@b SIP/2.0\nVia : SIP/2.0/UDP h\nFrom: <sip:a@b>\nTo: <sip:a@b>\nCall-Id:\t x \nCSeq: 1 OPTIONS\n\n')));
});

test('anything the full parser would report is refused', () => {
  const cases: Buffer[] = [
    sipRequest({ headers: basicHeaders().filter(([n]) => n !== 'CSeq') }),
    sipRequest({ contentLength: 5, body: 'abc' }),
    sipRequest({ contentLength: 'x' }),
    sipRequest({ headers: [...basicHeaders(), ['Content-Length', '0']] }),
    sipRequest({ headers: [...basicHeaders(), ['Bad Name', 'x']] }),
    sipRequest({ headers: [...basicHeaders(), ['Subject', 'caf\u00e9']], encoding: 'latin1' }),
    sipRequest({ headers: [...basicHeaders(), ['Subject', 'a\u0000b']] }),
    sipRequest({ noBlankLine: true }),
    sipResponse({ status: 99 }),
    sipResponse({ status: '2000' }),
  ];
  for (const raw of cases) {
    assert.equal(scan(raw), null, raw.toString('latin1').slice(0, 200));
    assert.ok(parseSipMessage(raw)!.issues.length > 0, 'and the full parser does report it');
  }
});

test('a second From and folding are refused too, though no issue: the store reads one From, unfolded values', () => {
  for (const raw of [
    sipRequest({ headers: [...basicHeaders(), ['From', '<sip:z@y>']] }),
    sipRequest({ headers: [...basicHeaders(), ['Subject', 'a'], [' folded', '']] }),
    Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nSubject: a\r\n  continued\r\nFrom: <sip:a@b>\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n'),
  ]) {
    assert.equal(scan(raw), null);
    assert.deepEqual(parseSipMessage(raw)!.issues, []);
  }
});

test('valid UTF-8 in values and a binary body after a clean head are accepted', () => {
  assert.ok(checkAgainstParse(sipRequest({ headers: [...basicHeaders().filter(([n]) => n !== 'From'), ['From', '"J\u00fcrgen" <sip:1@b>;tag=9']] })));
  assert.ok(checkAgainstParse(sipRequest({ body: Buffer.from([0xff, 0xfe, 0x00, 0x80]) })));
});

const pieces = ['\r\n', '\n', ':', ';', ',', '<', '>', '"', ' ', '\t', 'Via', 'v', 'i', 'f', 't', 'l', 'Content-Length', 'CSeq', 'From', 'To',
  'Call-ID', 'Diversion', '0', '12', 'sip:', '@', '\u0000', '\u00e9', 'branch=', 'SIP/2.0/UDP h'];
const line = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 8 }).map((a) => a.join(''));

test('property: the scan accepts only what the full parser finds clean, with the same values', () => {
  fc.assert(fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), fc.string({ maxLength: 20 }), (extra, response, body) => {
    const base = basicHeaders().map(([n, v]) => `${n}: ${v}`);
    const head = response ? 'SIP/2.0 200 OK' : 'INVITE sip:a@b SIP/2.0';
    const lines = [...base, ...extra];
    checkAgainstParse(Buffer.from(`${head}\r\n${lines.join('\r\n')}\r\n\r\n${body}`));
    checkAgainstParse(Buffer.from(`${head}\r\n${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
  }), { numRuns: 3000 });
});
