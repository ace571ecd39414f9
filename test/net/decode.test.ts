import { fuzzParams } from '../helpers/fuzz.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinkType } from '../../src/capture/frame.js';
import { PacketDecoder } from '../../src/net/decode.js';
import {
  decodeFrames, erspan3, eth, frame, gre, gtpu, hep3, ipv4, ipv4Fragments, ipv6, pppoe, sctp, tcp, udp, vlan,
} from '../helpers/packet-builders.js';

const sip = 'INVITE sip:x@y SIP/2.0\r\nContent-Length: 0\r\n\r\n';

test('decode: ICMP errors quoting SIP are counted and skipped; echo is other', async () => {
  const quoted = ipv4({ src: '10.0.0.2', dst: '10.0.0.1' }, udp({}, sip));
  const unreachable = Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), quoted]);
  const echo = Buffer.from([8, 0, 0, 0, 0, 1, 0, 1]);
  const v6err = Buffer.concat([Buffer.from([1, 4, 0, 0, 0, 0, 0, 0]), ipv6({}, udp({}, sip))]);
  const { payloads, decoder } = await decodeFrames([
    frame(eth(ipv4({ proto: 1 }, unreachable))),
    frame(eth(ipv4({ proto: 1 }, echo))),
    frame(eth(ipv6({ next: 58 }, v6err))),
  ]);
  assert.equal(payloads.length, 0);
  assert.equal(decoder.stats.icmpErrors, 2);
  assert.equal(decoder.stats.other, 1);
});

test('decode: TCP segments are emitted even when empty, with their flags', async () => {
  const { payloads } = await decodeFrames([
    frame(eth(ipv4({}, tcp({ seq: 10, syn: true })))),
    frame(eth(ipv4({}, tcp({ seq: 11, ack: 5, options: Buffer.from([1, 1, 1, 1]) }, sip)))),
    frame(eth(ipv4({}, tcp({ seq: 11 + sip.length, fin: true })))),
  ]);
  assert.deepEqual(payloads.map((p) => [p.tcp?.seq, p.tcp?.syn, p.tcp?.fin, p.payload.length]), [
    [10, true, false, 0],
    [11, false, false, sip.length],
    [11 + sip.length, false, true, 0],
  ]);
  assert.equal(payloads[1].tcp?.ack, 5);
});

test('decode: records carry the frame index and capture time', async () => {
  const { payloads } = await decodeFrames([frame(eth(ipv4({}, udp({}, sip))), LinkType.ETHERNET, 42, 1700000123, 456000)]);
  assert.deepEqual([payloads[0].frame, payloads[0].sec, payloads[0].nsec], [42, 1700000123, 456000]);
});

test('decode: the issue list is bounded; counts keep the rest', async () => {
  const d = new PacketDecoder({ maxIssues: 3 });
  for (let i = 1; i <= 10; i++) d.push(frame(Buffer.alloc(5), LinkType.ETHERNET, i), () => assert.fail('nothing to emit'));
  assert.equal(d.issues.length, 3);
  assert.equal(d.issueCounts.get('link.truncated'), 10);
  assert.equal(d.stats.malformed, 10);
});

test('decode: fragments inside a tunnel are reassembled', async () => {
  const inner = udp({ sport: 5060, dport: 5060 }, sip + 'x'.repeat(3000));
  const frags = ipv4Fragments({ src: '172.16.1.1', dst: '172.16.1.2', id: 3 }, inner, [1480]);
  const frames = frags.map((f, i) => frame(eth(ipv4({ proto: 47 }, gre({}, f))), 1, i + 1));
  const { payloads } = await decodeFrames(frames);
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0].srcIp, '172.16.1.1');
  assert.deepEqual(payloads[0].tunnels, ['gre']);
  assert.equal(payloads[0].payload.length, sip.length + 3000);
});

test('decode: never throws on mutated or truncated packets (fuzz)', () => {
  const seeds = [
    eth(vlan(ipv4({}, udp({}, sip)))),
    eth(pppoe(ipv6({ ext: [{ type: 0 }, { type: 44, fragOffset: 8, mf: true }] }, udp({}, sip)))),
    eth(ipv4({ proto: 47 }, erspan3(eth(ipv4({}, tcp({}, sip))), true))),
    eth(ipv4({}, udp({ dport: 2152 }, gtpu(ipv6({}, sctp({}, [{ data: sip }, { data: sip, idata: true }])), { ext: true })))),
    eth(ipv4({}, udp({ dport: 9060 }, hep3({ compress: true }, sip)))),
  ];
  const linkTypes = [0, 1, 101, 108, 113, 228, 229, 276];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(),
      fc.constantFrom(...linkTypes),
      (which, edits, cut, lt) => {
        const b = Buffer.from(seeds[which]);
        for (const [at, v] of edits) b[at % b.length] = v;
        const d = new PacketDecoder();
        d.push(frame(b.subarray(0, cut % (b.length + 1)), lt), () => {});
        d.push(frame(b, lt), () => {});
        d.end();
      },
    ),
    fuzzParams(3000),
  );
});
