import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Defragmenter } from '../../src/net/defrag.js';
import { decodeFrames, eth, frame, ipv4Fragments, ipv6, udp, sipRequest } from '../helpers/packet-builders.js';

const body = 'v=0\r\n' + 'a=x\r\n'.repeat(600);
const datagram = () => udp({ sport: 5060, dport: 5062 }, sipRequest('frag@test', body));

function ipv6Fragments(payload: Buffer, cuts: number[], id = 99): Buffer[] {
  const bounds = [0, ...cuts, payload.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const part = payload.subarray(bounds[i], bounds[i + 1]);
    out.push(ipv6({ ext: [{ type: 0 }, { type: 44, fragOffset: bounds[i], mf: i + 2 < bounds.length, id }], next: 17 }, part));
  }
  return out;
}

test('defrag: IPv4 fragments in order are reassembled, attributed to the last fragment', async () => {
  const frags = ipv4Fragments({ src: '10.9.9.1', dst: '10.9.9.2', id: 7 }, datagram(), [1480, 2960]);
  const { payloads, decoder } = await decodeFrames(frags.map((f, i) => frame(eth(f), 1, i + 1, 100 + i)));
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].frame, 3);
  assert.equal(payloads[0].sec, 102);
  assert.equal(payloads[0].srcIp, '10.9.9.1');
  assert.equal(payloads[0].dstPort, 5062);
  assert.equal(payloads[0].payload.toString(), sipRequest('frag@test', body));
  assert.equal(decoder.stats.fragments, 3);
  assert.equal(decoder.stats.reassembled, 1);
  assert.deepEqual(decoder.issues, []);
});

test('defrag: IPv4 fragments out of order', async () => {
  const frags = ipv4Fragments({ id: 8 }, datagram(), [1480, 2960]);
  const order = [2, 0, 1];
  const { payloads } = await decodeFrames(order.map((i, n) => frame(eth(frags[i]), 1, n + 1)));
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].frame, 3);
  assert.equal(payloads[0].payload.toString(), sipRequest('frag@test', body));
});

test('defrag: overlapping and duplicated fragments keep the first bytes', async () => {
  const d = datagram();
  const a = ipv4Fragments({ id: 9 }, d, [1480])[0];
  const overlapping = ipv4Fragments({ id: 9 }, d, [1000]);
  const { payloads, decoder } = await decodeFrames([a, a, overlapping[1]].map((f, n) => frame(eth(f), 1, n + 1)));
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].payload.toString(), sipRequest('frag@test', body));
  assert.deepEqual(decoder.issues, []); // identical overlap is not an anomaly
});

test('defrag: an overlap with different bytes is reported, earlier bytes kept', () => {
  const df = new Defragmenter();
  assert.equal(df.push('k', 0, true, Buffer.from('AAAAAAAA'), 1, 0), null);
  const whole = df.push('k', 4, false, Buffer.from('BBBBBBBB'), 2, 0);
  assert.equal(whole?.toString(), 'AAAAAAAABBBB');
  assert.equal(df.issues[0].code, 'ip.fragment-overlap');
  assert.equal(df.stats.conflicts, 1);
});

test('defrag: a missing fragment is reported at the end', async () => {
  const frags = ipv4Fragments({ id: 10 }, datagram(), [1480, 2960]);
  const { payloads, decoder } = await decodeFrames([frame(eth(frags[0])), frame(eth(frags[2]))]);
  assert.equal(payloads.length, 0);
  assert.equal(decoder.issues.length, 1);
  assert.equal(decoder.issues[0].code, 'ip.fragments-incomplete');
  assert.match(decoder.issues[0].detail, /^1 fragmented datagram/);
});

test('defrag: IPv6 fragments out of order, with extension headers before the fragment header', async () => {
  const d = datagram();
  const frags = ipv6Fragments(d, [1232, 2464]);
  const { payloads, decoder } = await decodeFrames([frags[1], frags[2], frags[0]].map((f, n) => frame(eth(f), 1, n + 1)));
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].srcIp, 'fd00::1');
  assert.equal(payloads[0].payload.toString(), sipRequest('frag@test', body));
  assert.equal(decoder.stats.reassembled, 1);
});

test('defrag: IPv6 missing fragment is reported', async () => {
  const frags = ipv6Fragments(datagram(), [1232, 2464]);
  const { payloads, decoder } = await decodeFrames([frame(eth(frags[0])), frame(eth(frags[1]))]);
  assert.equal(payloads.length, 0);
  assert.equal(decoder.issues[0].code, 'ip.fragments-incomplete');
});

test('defrag: timeout in capture time, pending and byte bounds are issues', () => {
  const df = new Defragmenter({ timeoutSec: 30, maxPending: 2, maxBytes: 100 });
  df.push('a', 0, true, Buffer.alloc(8), 1, 0);
  df.push('b', 0, true, Buffer.alloc(8), 2, 31.5);
  assert.deepEqual(df.issues.map((i) => i.code), ['ip.fragment-timeout']);
  df.push('c', 0, true, Buffer.alloc(8), 3, 32);
  df.push('d', 0, true, Buffer.alloc(8), 4, 33);
  assert.equal(df.issues[1].code, 'ip.fragment-evicted');
  assert.equal(df.pendingCount, 2);
  df.push('e', 0, true, Buffer.alloc(120), 5, 34);
  assert.equal(df.issues.at(-1)?.code, 'ip.fragment-evicted');
  assert.equal(df.stats.evicted, 4);
  assert.equal(df.stats.timedOut, 1);
  assert.equal(df.pendingCount, 0);
  assert.equal(df.end(), 0);
});

test('defrag: a fragment past 65535 bytes is refused', () => {
  const df = new Defragmenter();
  assert.equal(df.push('a', 65528, false, Buffer.alloc(16), 1, 0), null);
  assert.equal(df.issues[0].code, 'ip.fragment-too-large');
});

test('defrag: copies fragment bytes so reused frame buffers do not corrupt it', () => {
  const df = new Defragmenter();
  const buf = Buffer.from('12345678');
  df.push('k', 0, true, buf, 1, 0);
  buf.fill(0);
  assert.equal(df.push('k', 8, false, Buffer.from('9'), 2, 0)?.toString(), '123456789');
});
