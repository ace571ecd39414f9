import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { boundaryOf, splitMultipart } from '../../src/sip/multipart.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { parseSdp, sdpOfMessage } from '../../src/sip/sdp.js';
import { basicHeaders, sdpOffer, sipRequest, sipResponse } from '../helpers/sip-builders.js';

const codes = (x: { issues: { code: string }[] }) => x.issues.map((i) => i.code);

test('offer: origin, connection, media, codecs from rtpmap and the static table', () => {
  const s = parseSdp(sdpOffer({ ip: '192.168.1.20', port: 40000 }));
  assert.deepEqual(s.origin, { username: 'alice', sessionId: '2890844526', version: '2890844526', netType: 'IN', addrType: 'IP4', address: '192.168.1.20' });
  assert.deepEqual(s.connection, { ip: '192.168.1.20', version: 4 });
  assert.equal(s.media.length, 1);
  const m = s.media[0]!;
  assert.equal(m.type, 'audio');
  assert.equal(m.port, 40000);
  assert.equal(m.protocol, 'RTP/AVP');
  assert.deepEqual(m.payloads, [0, 8, 101]);
  assert.deepEqual(m.codecs, [
    { payload: 0, name: 'PCMU', rate: 8000 },
    { payload: 8, name: 'PCMA', rate: 8000 },
    { payload: 101, name: 'telephone-event', rate: 8000 },
  ]);
  assert.equal(m.direction, 'sendrecv');
  assert.deepEqual(s.issues, []);
});

test('answer with media-level c=, direction, rtcp, channels, static G722/G729 named', () => {
  const s = parseSdp([
    'v=0', 'o=- 7 8 IN IP6 2001:db8::1', 's=call', 't=0 0',
    'm=audio 5004 RTP/AVP 9 18 111', 'c=IN IP6 2001:db8::2', 'a=rtpmap:111 opus/48000/2', 'a=rtcp:5005 IN IP6 2001:db8::3', 'a=sendonly',
    'm=video 0 RTP/AVP 34', 'a=inactive', '',
  ].join('\r\n'));
  assert.equal(s.connection, undefined);
  assert.equal(s.origin.addrType, 'IP6');
  const [a, v] = s.media;
  assert.deepEqual(a!.connection, { ip: '2001:db8::2', version: 6 });
  assert.deepEqual(a!.codecs, [
    { payload: 9, name: 'G722', rate: 8000 }, { payload: 18, name: 'G729', rate: 8000 }, { payload: 111, name: 'opus', rate: 48000, channels: 2 },
  ]);
  assert.equal(a!.direction, 'sendonly');
  assert.deepEqual(a!.rtcp, { port: 5005, address: '2001:db8::3' });
  assert.equal(v!.direction, 'inactive');
  assert.deepEqual(v!.codecs, [{ payload: 34, name: 'H263', rate: 90000 }]);
  assert.deepEqual(s.issues, []); // the port-0 video needs no c=
});

test('session-level direction applies to media without one', () => {
  const s = parseSdp(sdpOffer({ extra: [] }).replace('a=sendrecv', 'a=recvonly').replace('m=audio', 'a=sendonly\r\nm=audio'));
  assert.equal(s.media[0]!.direction, 'recvonly');
  const t = parseSdp('v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\na=sendonly\nm=audio 1 RTP/AVP 0\n');
  assert.equal(t.media[0]!.direction, 'sendonly');
});

test('LF-only SDP parses the same as CRLF', () => {
  const crlf = parseSdp(sdpOffer());
  const lf = parseSdp(sdpOffer({ eol: '\n' }));
  assert.deepEqual(lf, crlf);
});

test('garbage and broken lines become issues; the rest still parses', () => {
  const text = sdpOffer({ extra: ['this is not sdp', 'A=upper', 'm=audio notaport RTP/AVP 0', 'c=IN IP4'] });
  const s = parseSdp(text);
  assert.deepEqual(codes(s), ['sdp.bad-line', 'sdp.bad-line', 'sdp.bad-media-line', 'sdp.bad-connection']);
  assert.equal(s.issues[0]!.offset, text.indexOf('this is not sdp'));
  assert.equal(s.media[0]!.port, 49170);
  assert.deepEqual(s.connection, { ip: '192.0.2.10', version: 4 });
});

test('missing v=, o= and c= are reported', () => {
  const s = parseSdp('s=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n');
  assert.deepEqual(codes(s).sort(), ['sdp.missing-connection', 'sdp.missing-origin', 'sdp.missing-version']);
  assert.equal(s.media[0]!.port, 4000);
  assert.deepEqual(codes(parseSdp('v=0\r\no=a b\r\n')), ['sdp.bad-origin']);
});

test('never throws on hostile bodies', () => {
  for (const t of ['', '\u0000\u0001', 'm=', 'a=rtpmap:', 'm=audio 1 RTP/AVP x y z', 'o=', 'c=IN IP9 x', Buffer.from([0xff, 0xfe, 0x0a]).toString('latin1')]) {
    const s = parseSdp(t);
    assert.ok(Array.isArray(s.media));
  }
  assert.deepEqual(parseSdp(Buffer.from('m=audio 1 RTP/AVP x 0\n')).media[0]!.payloads, [0]);
});

test('sdpOfMessage: application/sdp body', () => {
  const m = parseSipMessage(sipRequest({ headers: [...basicHeaders(), ['c', 'Application/SDP']], body: sdpOffer() }));
  assert.ok(m);
  assert.equal(sdpOfMessage(m)?.media[0]?.port, 49170);
  const plain = parseSipMessage(sipResponse({ headers: [...basicHeaders(), ['Content-Type', 'text/plain']], body: 'hi' }));
  assert.ok(plain);
  assert.equal(sdpOfMessage(plain), undefined);
  const none = parseSipMessage(sipRequest());
  assert.ok(none);
  assert.equal(sdpOfMessage(none), undefined);
});

// The SIP-I shape seen in sipcapture-heplify-sip_sctp.pcap: SDP beside a binary ISUP part.
const boundary = '8AF759A68474B6758999EB624E30C5271AF8251E';
const isup = Buffer.from([0x01, 0x00, 0x20, 0x01, 0x0a, 0x00, 0x02, 0x0a, 0x08, 0x83, 0x10, 0x0d, 0x0a, 0x2d, 0x2d]);
const multipart = Buffer.concat([
  Buffer.from(`--${boundary}\r\nContent-Type:application/sdp\r\nContent-Disposition:session;handling=required\r\n\r\n` +
    'v=0\r\no=- 0 0 IN IP4 10.249.30.2\r\ns=-\r\nc=IN IP4 10.249.30.145\r\nt=0 0\r\nm=audio 38060 RTP/AVP 8 13 96\r\n' +
    'b=AS:80\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\na=rtpmap:96 telephone-event/8000\r\na=ptime:20\r\n\r\n' +
    `--${boundary}\r\nContent-Type:application/ISUP;base=itu-t92+;version=itu-t92+\r\nContent-Transfer-Encoding:binary\r\n\r\n`, 'latin1'),
  isup,
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);

test('multipart/mixed: parts split, binary part kept byte-exact', () => {
  assert.equal(boundaryOf(`multipart/mixed;boundary=${boundary}`), boundary);
  assert.equal(boundaryOf('multipart/mixed; boundary="a b;c"'), 'a b;c');
  const { parts, issues } = splitMultipart(multipart, boundary);
  assert.deepEqual(issues, []);
  assert.deepEqual(parts.map((p) => p.contentType), ['application/sdp', 'application/isup']);
  assert.ok(parts[1]!.body.equals(isup));
  assert.ok(parts[0]!.body.toString().startsWith('v=0\r\n'));
});

test('sdpOfMessage finds the SDP part of a multipart body', () => {
  const m = parseSipMessage(sipRequest({ headers: [...basicHeaders(), ['Content-Type', `multipart/mixed;boundary=${boundary}`]], body: multipart }));
  assert.ok(m);
  const s = sdpOfMessage(m);
  assert.ok(s);
  assert.deepEqual(s.connection, { ip: '10.249.30.145', version: 4 });
  assert.deepEqual(s.media[0]!.codecs.map((c) => c.name), ['PCMA', 'CN', 'telephone-event']);
  assert.deepEqual(s.issues, []);
});

test('broken multipart bodies are reported', () => {
  assert.deepEqual(codes(splitMultipart(Buffer.from('no delimiters here'), 'b')), ['sip.multipart-no-boundary']);
  const open = splitMultipart(Buffer.from('--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n'), 'b');
  assert.deepEqual(codes(open), ['sip.multipart-unterminated']);
  assert.equal(open.parts[0]!.body.toString(), 'v=0\r\n');
  const lf = splitMultipart(Buffer.from('preamble\n--b\nContent-Type: text/plain\n\nhello\n--b--\n'), 'b');
  assert.deepEqual(lf.parts.map((p) => p.body.toString()), ['hello']);
});
