/**
 * The whole pipeline (reader → packets → SIP → calls) on real captures damaged
 * the ways files get damaged: bytes flipped, cut, a range duplicated, garbage
 * inserted, a length field made huge. Properties: nothing throws, each input
 * finishes quickly, and every message that lies wholly before the first
 * damaged byte is still found, byte for byte.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from '../helpers/pipeline.js';
import { packetEnds } from '../helpers/capture-walk.js';
import { fuzzParams } from '../helpers/fuzz.js';
import { CAPTURES, EXAMPLES } from '../helpers/paths.js';

const SOURCES = [
  join(EXAMPLES, 'nat-calls.pcap'),
  join(EXAMPLES, 'basic-call.pcap'),
  join(CAPTURES, 'sipcapture-heplify-sip_ipv4_tcp.pcap'),
  join(CAPTURES, 'goffinet-sip_captures-sip-register-publish-subscribe-489-401.pcapng'),
  join(CAPTURES, 'sipcapture-heplify-sip_ipv6_udp.pcap'),
  join(CAPTURES, 'NormB-sipnab-DTMFsipinfo.pcap'),
].filter((f) => existsSync(f));

type Damage =
  | { kind: 'flip'; at: number; bytes: number[] }
  | { kind: 'cut'; at: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'huge-length'; at: number };

function damage(original: Buffer, d: Damage): Buffer {
  const at = Math.min(d.at, original.length);
  switch (d.kind) {
    case 'flip': {
      const out = Buffer.from(original);
      d.bytes.forEach((x, i) => { if (at + i < out.length) out[at + i] ^= x || 1; });
      return out;
    }
    case 'cut': return original.subarray(0, at);
    case 'duplicate': return Buffer.concat([original.subarray(0, at), original.subarray(at, at + d.length), original.subarray(at)]);
    case 'insert': return Buffer.concat([original.subarray(0, at), Buffer.from(d.bytes), original.subarray(at)]);
    case 'huge-length': {
      const out = Buffer.from(original);
      if (at + 4 <= out.length) out.writeUInt32LE(0xfffffff0, at);
      return out;
    }
  }
}

function damageArb(size: number): fc.Arbitrary<Damage> {
  const at = fc.integer({ min: 0, max: size });
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('cut' as const), at }),
    fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 4096 }) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('huge-length' as const), at }),
  );
}

for (const source of SOURCES) {
  const original = readFileSync(source);
  const ends = packetEnds(original);
  const intact = pipeline(original).messages;

  test(`fuzz: damaged ${source.split('/').pop()} — no throw, bounded time, messages before the damage kept`, () => {
    fc.assert(
      fc.property(damageArb(original.length), (d) => {
        const { messages, ms } = pipeline(damage(original, d));
        assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
        if (ends === undefined) return;
        // Packets that end at or before the first damaged byte are untouched, and so are their messages.
        const whole = ends.filter((e) => e <= d.at).length;
        const want = intact.filter((m) => m.frame <= whole);
        const got = new Set(messages.filter((m) => m.frame <= whole).map((m) => `${m.frame}|${m.raw}`));
        for (const m of want) assert.ok(got.has(`${m.frame}|${m.raw}`), `message in frame ${m.frame} (before damage at ${d.at}) lost after ${d.kind}`);
      }),
      fuzzParams(40),
    );
  });
}

test('fuzz: random bytes are never mistaken for a capture that crashes us', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.constantFrom(0xa1b2c3d4, 0x0a0d0d0a, 0x1f8b0800, 0), (body, magic) => {
      const head = Buffer.alloc(4);
      head.writeUInt32LE(magic);
      const { ms } = pipeline(Buffer.concat([head, Buffer.from(body)]));
      assert.ok(ms < 5000);
    }),
    fuzzParams(200),
  );
});

test('fuzz: text dumps of mangled tcpdump lines never throw or hang', () => {
  const line = fc.oneof(
    fc.constantFrom(
      '2024-05-14 08:00:00.000001 IP 192.168.1.10.5060 > 203.0.113.10.5060: SIP: INVITE sip:1@b SIP/2.0',
      '08:00:00.000001 IP6 2001:db8::1.5060 > 2001:db8::2.5060: UDP, length 300',
      '08:00:00.000001 IP 10.0.0.1.5060 > 10.0.0.2.5060: Flags [P.], seq 1:500, ack 1, win 502, length 499',
      'E..H..@.@.;..............4.GSIP/2.0 100 Trying',
      'INVITE sip:service@127.0.0.1:5090 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1', 'Call-ID: x@y',
      'Content-Length: 999999999', 'Content-Length: -1', '', '\t', '    10.0.0.1.5060 > 10.0.0.2.5060: [udp sum ok] SIP, length: 772',
    ),
    fc.string({ maxLength: 120 }),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 80 }), (lines) => {
      const { ms } = pipeline(Buffer.from(`08:00:00.000000 IP 1.2.3.4.5060 > 5.6.7.8.5060: UDP, length 10\n${lines.join('\n')}\n`));
      assert.ok(ms < 5000);
    }),
    fuzzParams(200),
  );
});
