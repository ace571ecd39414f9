/**
 * The HEP collector's protections on real loopback sockets (issue 10): a peer's
 * packet-rate budget, oversized packets refused (a TCP peer sending one is
 * disconnected), connections per peer capped, slow-loris connections closed —
 * each counted, none fatal, other peers unaffected, nothing ever sent back.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { HepListener, type HepListenerOptions } from '../../src/capture/hep-listener.js';
import { hep3 } from '../helpers/packet-builders.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const packet = (i: number, size = 0): Buffer => hep3({}, `INVITE sip:b@x SIP/2.0\r\nCall-ID: ${i}@x\r\n\r\n${'p'.repeat(size)}`);

async function listen(o: Partial<HepListenerOptions>, clock?: () => number) {
  const got: Buffer[] = [];
  const listener = new HepListener({ udp: [{ host: '127.0.0.1', port: 0 }], tcp: [{ host: '127.0.0.1', port: 0 }], ...o, onPacket: (p) => got.push(p) }, clock);
  const [udp, tcp] = await listener.start();
  return { listener, got, udpPort: udp!.port, tcpPort: tcp!.port };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let t = 0; t < 250 && !cond(); t++) await sleep(20);
  assert.ok(cond(), what);
}

function udpSend(port: number, packets: Buffer[]): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  return (async () => {
    for (const p of packets) await new Promise<void>((resolve, reject) => s.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    return s;
  })();
}

async function connect(port: number): Promise<net.Socket> {
  const c = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { c.once('connect', resolve); c.once('error', reject); });
  return c;
}

const closed = (c: net.Socket): Promise<void> => new Promise((resolve) => { if (c.destroyed) resolve(); else c.once('close', () => resolve()); });

test('a peer over its packet rate: the excess is dropped and counted, its budget refills with time', async () => {
  let now = 0;
  const { listener, got, udpPort } = await listen({ peerPacketsPerSec: 10 }, () => now);
  try {
    const s = await udpSend(udpPort, Array.from({ length: 25 }, (_, i) => packet(i)));
    await until(() => listener.stats.udpDatagrams === 25, 'all datagrams arrived');
    assert.equal(got.length, 10);
    assert.equal(listener.stats.rateLimited, 15);
    now += 500; // half a second: 5 more tokens
    (await udpSend(udpPort, Array.from({ length: 8 }, (_, i) => packet(100 + i)))).close();
    await until(() => listener.stats.udpDatagrams === 33, 'second burst arrived');
    assert.equal(got.length, 15);
    assert.equal(listener.stats.rateLimited, 18);
    // Nothing is ever answered: the sender's socket has received nothing.
    let answered = 0;
    s.on('message', () => { answered++; });
    await sleep(50);
    assert.equal(answered, 0);
    s.close();
  } finally {
    await listener.close();
  }
});

test('packets above maxPacketBytes: refused over UDP; over TCP refused and the connection closed', async () => {
  const { listener, got, udpPort, tcpPort } = await listen({ maxPacketBytes: 1000 });
  try {
    (await udpSend(udpPort, [packet(1), packet(2, 2000), packet(3)])).close();
    await until(() => listener.stats.udpDatagrams === 3, 'datagrams arrived');
    assert.equal(got.length, 2);
    assert.equal(listener.stats.oversized, 1);
    const c = await connect(tcpPort);
    c.write(Buffer.concat([packet(4), packet(5, 2000), packet(6)]));
    await closed(c);
    assert.equal(listener.stats.oversized, 2);
    assert.equal(got.length, 3, 'the packet before the oversized one was taken, none after');
  } finally {
    await listener.close();
  }
});

test('connections per peer capped: extra ones closed at once and counted, the first ones keep working', async () => {
  const { listener, got, tcpPort } = await listen({ maxConnectionsPerPeer: 2 });
  try {
    const a = await connect(tcpPort);
    const b = await connect(tcpPort);
    await until(() => listener.openConnections === 2, 'two connections accepted');
    const extra = await connect(tcpPort);
    await closed(extra);
    assert.equal(listener.stats.tcpRejected, 1);
    a.write(packet(1));
    b.write(packet(2));
    await until(() => got.length === 2, 'both kept connections deliver');
    a.destroy();
    await until(() => listener.openConnections === 1, 'a closed');
    const again = await connect(tcpPort);
    again.write(packet(3));
    await until(() => got.length === 3, 'a freed slot is usable again');
    b.destroy();
    again.destroy();
  } finally {
    await listener.close();
  }
});

test('slow loris: a connection with no whole packet in firstPacketMs is closed; one that delivered may idle', async () => {
  const { listener, got, tcpPort } = await listen({ firstPacketMs: 150, idleMs: 5000 });
  try {
    const slow = await connect(tcpPort);
    slow.write(packet(1).subarray(0, 10)); // a header, then nothing
    const good = await connect(tcpPort);
    good.write(packet(2));
    await closed(slow);
    assert.equal(listener.stats.tcpTimedOut, 1);
    await sleep(200);
    assert.equal(good.destroyed, false, 'a connection that sent a packet is not cut at firstPacketMs');
    assert.equal(got.length, 1);
    good.destroy();
  } finally {
    await listener.close();
  }
});

test('an idle connection is closed after idleMs and counted', async () => {
  const { listener, tcpPort } = await listen({ idleMs: 100 });
  try {
    const c = await connect(tcpPort);
    c.write(packet(1));
    await closed(c);
    assert.equal(listener.stats.tcpTimedOut, 1);
  } finally {
    await listener.close();
  }
});

test('rate buckets for many peers stay bounded (maxPeers)', async () => {
  let now = 0;
  const { listener } = await listen({ maxPeers: 3, peerPacketsPerSec: 1 }, () => now);
  try {
    // Only 127.0.0.1 is reachable on loopback; drive the bucket map through the private path.
    const admit = (listener as unknown as { admit(p: Buffer, a: string): boolean }).admit.bind(listener);
    for (let i = 0; i < 10; i++) assert.equal(admit(packet(i), `10.0.0.${i}`), true);
    const buckets = (listener as unknown as { buckets: Map<string, unknown> }).buckets;
    assert.equal(buckets.size, 3);
    assert.deepEqual([...buckets.keys()], ['10.0.0.7', '10.0.0.8', '10.0.0.9']);
    now += 10;
    assert.equal(admit(packet(0), '10.0.0.9'), false, 'a remembered peer still has an empty budget');
  } finally {
    await listener.close();
  }
});
