/**
 * The collector on real sockets (127.0.0.1 and ::1, ephemeral ports): HEPv3
 * plain and compressed, with and without auth, IPv6 inner addresses, HEPv2,
 * over UDP and over TCP (several packets per write, one packet over several
 * writes), garbage and truncated packets counted, never a crash; the
 * connection cap holds.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { HepListener, type BoundAddress, type HepListenerOptions } from '../../src/capture/hep-listener.js';
import { CallStore } from '../../src/calls/store.js';
import { HepCollector } from '../../src/ingest/hep-collect.js';
import { hep2, hep3 } from '../helpers/packet-builders.js';
import { request, response } from '../helpers/messages.js';

const sip = (text: string): string => text.replace(/\n/g, '\r\n');
const invite = (id: string): string => sip(request('INVITE', { callId: id }));
const ok = (id: string): string => sip(response(200, 'OK', 'INVITE', { callId: id }));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Rig {
  listener: HepListener;
  collector: HepCollector;
  store: CallStore;
  bound: BoundAddress[];
  /** Waits until the collector has seen n packets (or fails after 5 s). */
  packets: (n: number) => Promise<void>;
}

async function rig(o: Partial<HepListenerOptions> & { authKey?: string }): Promise<Rig> {
  const store = new CallStore({ keep: () => true });
  const collector = new HepCollector({ ...(o.authKey ? { authKey: o.authKey } : {}), onMessage: (m) => store.add(m) });
  const listener = new HepListener({
    ...o,
    onPacket: (p) => collector.push(p, { sec: 1800000000, nsec: 0 }),
    onJunk: (runs) => collector.junk(runs),
  });
  const bound = await listener.start();
  const packets = async (n: number): Promise<void> => {
    for (let t = 0; t < 250 && collector.stats.packets < n; t++) await sleep(20);
    assert.equal(collector.stats.packets, n, `expected ${n} packets, stats ${JSON.stringify(collector.stats)}`);
  };
  return { listener, collector, store, bound, packets };
}

function sendUdp(host: string, port: number, packets: Buffer[]): Promise<void> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return (async () => {
    for (const p of packets) await new Promise<void>((resolve, reject) => s.send(p, port, host, (e) => (e ? reject(e) : resolve())));
    s.close();
  })();
}

async function tcpConnect(host: string, port: number): Promise<net.Socket> {
  const c = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  return c;
}

async function sendTcp(host: string, port: number, writes: Buffer[], gapMs = 15): Promise<void> {
  const c = await tcpConnect(host, port);
  for (const w of writes) {
    await new Promise<void>((resolve) => c.write(w, () => resolve()));
    await sleep(gapMs); // separate writes arrive as separate segments on loopback
  }
  await new Promise<void>((resolve) => c.end(resolve));
}

for (const host of ['127.0.0.1', '::1']) {
  test(`UDP on ${host}: HEPv3 plain, compressed, IPv6 inner addresses, HEPv2; garbage and truncated counted`, async () => {
    const r = await rig({ udp: [{ host, port: 0 }] });
    assert.equal(r.bound[0]!.host, host);
    assert.ok(r.bound[0]!.port > 0);
    const good = hep3({ src: '10.0.0.1', dst: '10.0.0.2', sec: 1700000000, usec: 1 }, invite('u1'));
    await sendUdp(host, r.bound[0]!.port, [
      good,
      hep3({ src: '10.0.0.2', dst: '10.0.0.1', sec: 1700000000, usec: 2, compress: true }, ok('u1')),
      hep3({ src: '2001:db8::1', dst: '2001:db8::2', correlationId: 'x' }, invite('u6')),
      hep2({ src: '10.2.2.1', dst: '10.2.2.2' }, invite('v2')),
      Buffer.from('garbage, not HEP at all'),
      good.subarray(0, good.length - 20),
      Buffer.alloc(0),
    ]);
    await r.packets(7);
    assert.deepEqual(r.collector.stats, { packets: 7, sipMessages: 4, malformed: 3, badAuth: 0, notSip: 0 });
    const calls = r.store.calls();
    assert.deepEqual(calls.map((c) => [c.callId, c.messages, c.srcIp, c.dstIp, c.finalStatus]), [
      ['u1', 2, '10.0.0.1', '10.0.0.2', 200], ['u6', 1, '2001:db8::1', '2001:db8::2', null], ['v2', 1, '10.2.2.1', '10.2.2.2', null],
    ]);
    assert.equal(calls[0]!.kept![1]!.nsec, 2000, 'the agent time dates the message');
    await r.listener.close();
  });

  test(`TCP on ${host}: several packets in one write, one packet over several writes, junk between`, async () => {
    const r = await rig({ tcp: [{ host, port: 0 }] });
    const port = r.bound[0]!.port;
    const a = hep3({}, invite('t1'));
    const b = hep3({ compress: true }, ok('t1'));
    const c = hep3({ src: '2001:db8::5', dst: '2001:db8::6' }, invite('t6'));
    await sendTcp(host, port, [Buffer.concat([a, b, c])]);
    await sendTcp(host, port, [c.subarray(0, 3), c.subarray(3, 10), c.subarray(10, 50), c.subarray(50)]);
    await sendTcp(host, port, [a, Buffer.from('\r\n\r\nnoise'), b, a.subarray(0, 30)]);
    // 3 + 1 + (a, junk run, b, cut packet at close)
    await r.packets(8);
    assert.deepEqual(r.collector.stats, { packets: 8, sipMessages: 6, malformed: 2, badAuth: 0, notSip: 0 });
    assert.deepEqual(r.store.calls().map((k) => [k.callId, k.messages]), [['t1', 4], ['t6', 2]]);
    assert.equal(r.listener.stats.tcpConnections, 3);
    await r.listener.close();
  });
}

test('auth key: only packets with the right key become SIP, over UDP and TCP', async () => {
  const r = await rig({ udp: [{ host: '127.0.0.1', port: 0 }], tcp: [{ host: '127.0.0.1', port: 0 }], authKey: 'k3y' });
  const [u, t] = r.bound;
  await sendUdp('127.0.0.1', u!.port, [hep3({ authKey: 'k3y' }, invite('a1')), hep3({ authKey: 'wrong' }, invite('a2')), hep3({}, invite('a3')), hep2({}, invite('a4'))]);
  await sendTcp('127.0.0.1', t!.port, [Buffer.concat([hep3({ authKey: 'k3y' }, invite('a5')), hep3({ authKey: 'k3' }, invite('a6'))])]);
  await r.packets(6);
  assert.deepEqual(r.collector.stats, { packets: 6, sipMessages: 2, malformed: 0, badAuth: 4, notSip: 0 });
  assert.deepEqual(r.store.calls().map((c) => c.callId), ['a1', 'a5']);
  await r.listener.close();
});

test('non-SIP HEP (RTCP, logs) is counted apart from malformed', async () => {
  const r = await rig({ udp: [{ host: '127.0.0.1', port: 0 }] });
  await sendUdp('127.0.0.1', r.bound[0]!.port, [hep3({ protoType: 5 }, Buffer.from([0x80, 0xc8, 0, 6])), hep3({ protoType: 100 }, 'log line'), hep3({}, 'HTTP/1.1 200 OK\r\n\r\n')]);
  await r.packets(3);
  assert.deepEqual(r.collector.stats, { packets: 3, sipMessages: 0, malformed: 0, badAuth: 0, notSip: 3 });
  await r.listener.close();
});

test('a flood of random datagrams and a random TCP stream never crash the collector', async () => {
  const r = await rig({ udp: [{ host: '127.0.0.1', port: 0 }], tcp: [{ host: '127.0.0.1', port: 0 }] });
  const [u, t] = r.bound;
  let seed = 7;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const good = hep3({}, invite('f1'));
  const fuzz: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(good);
    for (let k = 0; k < 1 + rand(6); k++) b[rand(b.length)] = rand(256);
    fuzz.push(i % 3 === 0 ? b.subarray(0, rand(b.length)) : b);
  }
  await sendUdp('127.0.0.1', u!.port, fuzz);
  await sendTcp('127.0.0.1', t!.port, [Buffer.concat(fuzz.slice(0, 100)), good], 5);
  for (let i = 0; i < 250 && r.collector.stats.sipMessages === 0; i++) await sleep(20);
  await sleep(200);
  const s = r.collector.stats;
  assert.equal(s.packets, s.sipMessages + s.malformed + s.badAuth + s.notSip);
  assert.ok(s.malformed > 50, JSON.stringify(s));
  // The listener is still alive: a good packet after the flood gets through.
  const before = s.sipMessages;
  await sendUdp('127.0.0.1', u!.port, [hep3({}, invite('after'))]);
  for (let i = 0; i < 250 && r.collector.stats.sipMessages === before; i++) await sleep(20);
  assert.ok(r.store.find('after'));
  await r.listener.close();
});

test('connections beyond the cap are refused and counted; the others keep working', async () => {
  const r = await rig({ tcp: [{ host: '127.0.0.1', port: 0 }], maxConnections: 2 });
  const port = r.bound[0]!.port;
  const open = [await tcpConnect('127.0.0.1', port), await tcpConnect('127.0.0.1', port)];
  const extra = await tcpConnect('127.0.0.1', port);
  const closed = await Promise.race([new Promise((resolve) => extra.once('close', () => resolve(true))), sleep(2000).then(() => false)]);
  assert.equal(closed, true, 'the third connection is closed by the collector');
  assert.equal(r.listener.stats.tcpRejected, 1);
  open[0]!.write(hep3({}, invite('capped')));
  await r.packets(1);
  for (const c of open) c.destroy();
  await r.listener.close();
});

test('a port in use is one plain error, and nothing stays bound', async () => {
  const r = await rig({ udp: [{ host: '127.0.0.1', port: 0 }] });
  const taken = r.bound[0]!.port;
  const other = new HepListener({ tcp: [{ host: '127.0.0.1', port: 0 }], udp: [{ host: '127.0.0.1', port: taken }], onPacket: () => undefined });
  await assert.rejects(other.start(), { message: `cannot listen on udp 127.0.0.1:${taken}: address already in use` });
  await r.listener.close();
});
