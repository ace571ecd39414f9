/**
 * Abuse tests for the mirror: what a stranger on the Internet can make it do.
 * Without the token: nothing. Oversized: a 513 no larger than the request
 * (UDP) or a closed connection (TCP). Every reply, over any request the
 * policy accepts (fast-check), at most REPLY_BOUND bytes over the request.
 * Per-peer rate limit and a cap on pending late replies.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import fc from 'fast-check';
import { COPY_LIMIT, MAX_REQUEST, REPLY_BOUND, readEcho, flip } from '../../src/probe/echo.js';
import { Mirror } from '../../src/probe/mirror.js';
import { MirrorPolicy } from '../../src/probe/policy.js';
import { parseSipMessage } from '../../src/sip/parse.js';

const TOKEN = 'abuse-token';
let mirror: Mirror;
let port = 0;
before(async () => {
  mirror = new Mirror({ listen: ['127.0.0.1:0'], token: TOKEN, burst: 10, perSecond: 1 });
  await mirror.start();
  port = mirror.bound[0]!.port;
});
after(async () => { await mirror.close(); });

function request(o: { token?: string; method?: string; pad?: number; via?: string; extra?: string[] } = {}): Buffer {
  const body = 'x'.repeat(o.pad ?? 0);
  return Buffer.from([
    `${o.method ?? 'OPTIONS'} sip:mirror SIP/2.0`, `Via: ${o.via ?? 'SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK1'}`,
    'From: <sip:a@192.168.1.2>;tag=1', 'To: <sip:mirror>', `Call-ID: ${Math.random()}@x`, `CSeq: 1 ${o.method ?? 'OPTIONS'}`,
    ...(o.token === undefined ? [] : [`X-Sipv-Probe: ${o.token}`]), ...(o.extra ?? []), `Content-Length: ${body.length}`, '', body,
  ].join('\r\n'), 'latin1');
}

/** Send datagrams from one fresh socket; collect what comes back within `waitMs`. */
async function udp(datagrams: Buffer[], waitMs = 300): Promise<Buffer[]> {
  const s = createSocket('udp4');
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  for (const d of datagrams) s.send(d, port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, waitMs));
  s.close();
  return got;
}

test('a probe with the token gets its echo: the exact bytes and the source seen', async () => {
  const req = request({ token: TOKEN });
  const [reply] = await udp([req]);
  assert.ok(reply);
  const echo = readEcho(parseSipMessage(reply)!)!;
  assert.ok(echo.raw.equals(req));
  assert.match(echo.source, /^127\.0\.0\.1:\d+$/);
  assert.equal(echo.transport, 'udp');
  // The body holds no CR/LF and no dotted address an ALG could find.
  const body = parseSipMessage(reply)!.body;
  assert.equal(body.indexOf('\r\n'), -1);
  assert.equal(body.indexOf('192.168.1.2'), -1);
  assert.ok(flip(body).includes(req));
});

test('no token, wrong token, a response, an ACK, garbage: never answered', async () => {
  const before = { ...mirror.policy.counts };
  const got = await udp([
    request(), request({ token: 'guess' }), request({ token: TOKEN.slice(0, -1) }), request({ token: TOKEN, method: 'ACK' }),
    Buffer.from(`SIP/2.0 200 OK\r\nX-Sipv-Probe: ${TOKEN}\r\nContent-Length: 0\r\n\r\n`), Buffer.from('\x00\x01 hello'),
  ]);
  assert.deepEqual(got, []);
  const c = mirror.policy.counts;
  const d = (k: string) => (c[k] ?? 0) - (before[k] ?? 0);
  assert.deepEqual([d('no-token'), d('bad-token'), d('ack'), d('not-request'), d('not-sip')], [1, 2, 1, 1, 1]);
});

test('oversized with the token: a 513 smaller than the request; without the token: nothing', async () => {
  const big = request({ token: TOKEN, pad: MAX_REQUEST });
  const [reply, more] = await udp([big]);
  assert.equal(more, undefined);
  assert.match(reply!.toString('latin1'), /^SIP\/2\.0 513 Message Too Large\r\n/);
  assert.ok(reply!.length < big.length);
  assert.deepEqual(await udp([request({ pad: MAX_REQUEST })]), []);
});

test('copied headers over the limit: ignored (a reply could not stay within the bound)', async () => {
  const via = `SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${'a'.repeat(COPY_LIMIT)}`;
  assert.deepEqual(await udp([request({ token: TOKEN, via })]), []);
});

test('every reply is at most REPLY_BOUND bytes over its request (fast-check over accepted requests)', () => {
  const policy = new MirrorPolicy({ token: TOKEN, burst: 1e9, perSecond: 1e9 });
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 5000 }), fc.string({ maxLength: 900 }), fc.array(fc.string({ maxLength: 200 }), { maxLength: 6 }), fc.boolean(),
    (pad, via, extra, late) => {
      const raw = request({ token: TOKEN, pad, via: `SIP/2.0/UDP h;branch=${via.replace(/[\r\n]/g, '')}`, extra: [...extra.map((e, i) => `Via: x${i}${e.replace(/[\r\n]/g, '')}`), ...(late ? ['X-Sipv-Probe-Delay: 10'] : [])] });
      const d = policy.decide(raw, { ip: '192.0.2.1', port: 1 }, 'udp', 0);
      if (d.kind === 'ignore') return true;
      assert.ok(d.bytes.length <= raw.length + REPLY_BOUND, `${d.bytes.length} > ${raw.length} + ${REPLY_BOUND}`);
      if (d.late) { assert.ok(d.late.bytes.length <= raw.length + REPLY_BOUND); policy.lateDone('192.0.2.1'); }
      return true;
    }), { numRuns: 300 });
  // And some requests are accepted (the property is not vacuous).
  assert.equal(policy.decide(request({ token: TOKEN }), { ip: '192.0.2.1', port: 1 }, 'udp', 0).kind, 'reply');
});

test('rate limit per peer address: a burst of 10, then 1/s', () => {
  const policy = new MirrorPolicy({ token: TOKEN, burst: 10, perSecond: 1 });
  const peer = { ip: '198.51.100.9', port: 5060 };
  const kinds = Array.from({ length: 30 }, () => policy.decide(request({ token: TOKEN }), peer, 'udp', 1000).kind);
  assert.equal(kinds.filter((k) => k === 'reply').length, 10);
  assert.equal(policy.counts['rate-limited'], 20);
  assert.equal(policy.decide(request({ token: TOKEN }), peer, 'udp', 2001).kind, 'reply');
  // Another address has its own bucket.
  assert.equal(policy.decide(request({ token: TOKEN }), { ip: '198.51.100.10', port: 5060 }, 'udp', 1000).kind, 'reply');
});

test('pending late replies are capped per peer address', () => {
  const policy = new MirrorPolicy({ token: TOKEN, burst: 100, perSecond: 100, maxPendingPerPeer: 3 });
  const peer = { ip: '198.51.100.9', port: 5060 };
  const ask = () => policy.decide(request({ token: TOKEN, extra: ['X-Sipv-Probe-Delay: 5000'] }), peer, 'udp', 0);
  const got = [ask(), ask(), ask(), ask()].map((d) => d.kind === 'ignore' ? d.reason : d.late ? 'late' : 'no-late');
  assert.deepEqual(got, ['late', 'late', 'late', 'too-many-pending']);
  policy.lateDone(peer.ip);
  assert.equal(ask().kind, 'reply');
});

test('UDP rate limit on the wire: 30 requests at once from one address, at most the burst answered', async () => {
  const m = new Mirror({ listen: ['127.0.0.1:0'], token: TOKEN, burst: 5, perSecond: 1 });
  await m.start();
  const s = createSocket('udp4');
  let n = 0;
  s.on('message', () => { n++; });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  for (let i = 0; i < 30; i++) s.send(request({ token: TOKEN }), m.bound[0]!.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 300));
  s.close();
  await m.close();
  assert.ok(n >= 5 && n <= 6, String(n));
});

function tcp(chunks: Buffer[]): Promise<{ data: Buffer; closedByPeer: boolean }> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let closed = false;
    c.on('data', (d) => parts.push(d));
    c.on('end', () => { closed = true; });
    c.on('error', () => { closed = true; });
    c.on('connect', () => { for (const x of chunks) c.write(x); });
    setTimeout(() => { c.destroy(); resolve({ data: Buffer.concat(parts), closedByPeer: closed }); }, 300);
  });
}

test('TCP: a probe is echoed on the same connection; a message without the token closes it', async () => {
  const ok = await tcp([request({ token: TOKEN })]);
  assert.equal(readEcho(parseSipMessage(ok.data)!)?.transport, 'tcp');
  assert.equal(ok.closedByPeer, false);
  const bad = await tcp([request()]);
  assert.equal(bad.data.length, 0);
  assert.equal(bad.closedByPeer, true);
});

test('TCP: more than two maximal requests buffered without a message end closes the connection', async () => {
  const head = Buffer.from(`OPTIONS sip:m SIP/2.0\r\nX-Sipv-Probe: ${TOKEN}\r\nContent-Length: 100000\r\n\r\n`);
  const r = await tcp([head, Buffer.alloc(3 * MAX_REQUEST, 0x41)]);
  assert.equal(r.data.length, 0);
  assert.equal(r.closedByPeer, true);
});
