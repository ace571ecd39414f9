import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createDecoder, detectFormat } from '../../src/capture/detect.js';
import { LinkType, type Frame } from '../../src/capture/frame.js';
import { TextDumpDecoder } from '../../src/capture/text.js';
import { payloadOf } from './payloads.js';
import { pathToFileURL } from 'node:url';
import { CAPTURES as CAPTURES_DIR, FIXTURES as FIXTURES_DIR } from '../helpers/paths.js';
import { decodeAll } from './split.js';

// Directory URLs (trailing slash) so `new URL(name, DIR)` resolves inside them, from test/ or dist/test/ alike.
const CAPTURES = pathToFileURL(`${CAPTURES_DIR}/`);
const FIXTURES = pathToFileURL(`${FIXTURES_DIR}/text/`);
const SIP_START = /^(?:[A-Za-z-]+ \S+ SIP\/2\.0\r\n|SIP\/2\.0 \d\d\d )/;

let tcpdump = true;
try {
  execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
} catch {
  tcpdump = false;
}
const NO_TCPDUMP = tcpdump ? false : 'tcpdump is not installed: the live text-dump comparisons need it';

/** What -A can show of a payload: non-printables become '.', a CR not before LF too. */
function printable(b: Buffer): string {
  return b.toString('latin1').replace(/[^\t\n\r\x20-\x7e]/g, '.').replace(/\r(?!\n)/g, '.');
}

/** Non-empty, unfragmented transport payloads of a binary capture, copied. */
function binaryPayloads(file: string, onlySip: boolean): string[] {
  const bytes = readFileSync(new URL(file, CAPTURES));
  const frames = decodeAll(createDecoder(detectFormat(bytes))!, bytes);
  return textPayloads(frames, onlySip);
}

function textPayloads(frames: Frame[], onlySip: boolean): string[] {
  const out: string[] = [];
  for (const f of frames) {
    const p = payloadOf(f);
    if (!p || p.fragment || p.payload.length === 0) continue;
    if (onlySip && !SIP_START.test(p.payload.subarray(0, 300).toString('latin1'))) continue;
    out.push(printable(p.payload));
  }
  return out;
}

function decodeText(text: Buffer | string, opts = {}): { frames: Frame[]; d: TextDumpDecoder } {
  const d = new TextDumpDecoder(opts);
  const frames = decodeAll(d, Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'));
  return { frames, d };
}

test('fixture -nn -A (UDP): every SIP payload equals the pcap it was printed from', () => {
  const { frames, d } = decodeText(readFileSync(new URL('sip_call.nn.txt', FIXTURES)));
  assert.ok(frames.every((f) => f.linkType === LinkType.RAW));
  const want = binaryPayloads('NormB-sipnab-sip_call.pcap', true);
  assert.equal(want.length, 7);
  assert.deepEqual(textPayloads(frames, true), want);
  assert.deepEqual(d.issues.map((i) => i.code), ['text.no-date']);
  assert.equal(frames[0].sec % 86400, 22 * 3600 + 13 * 60 + 20);
  assert.equal(payloadOf(frames[0])?.src, '10.0.0.1');
});

test('fixture -nn -vvv -A (TCP): segment payloads, seq numbers and flags survive', () => {
  const { frames } = decodeText(readFileSync(new URL('ipv4_tcp.vvv.txt', FIXTURES)));
  assert.deepEqual(textPayloads(frames, false), binaryPayloads('sipcapture-heplify-sip_ipv4_tcp.pcap', false));
  const syn = payloadOf(frames[0])!;
  assert.equal(syn.proto, 'tcp');
  const tcp = frames[0].data.subarray(20);
  assert.equal(tcp.readUInt32BE(4), 2441615628); // `seq 2441615628`
  assert.equal(tcp[13] & 0x02, 0x02); // SYN
});

test('fixture -tttt -A without -nn (IPv6, port names): dates and addresses kept', () => {
  const { frames, d } = decodeText(readFileSync(new URL('ipv6_udp.tttt.txt', FIXTURES)));
  assert.deepEqual(textPayloads(frames, true), binaryPayloads('sipcapture-heplify-sip_ipv6_udp.pcap', true));
  assert.equal(new Date(frames[0].sec * 1000).toISOString(), '2012-02-07T04:36:02.000Z');
  assert.equal(frames[0].nsec, 251_758_000);
  const p = payloadOf(frames[0])!;
  assert.equal(p.srcPort, 5060); // printed as `.sip`
  assert.equal(p.src, 'fe80000000000000021aa0fffe0732e0');
  assert.ok(!d.issues.some((i) => i.code === 'text.no-date'));
});

test('text: the same frames whatever the chunking', () => {
  const bytes = readFileSync(new URL('sip_call.nn.txt', FIXTURES));
  const whole = decodeText(bytes).frames;
  for (let a = 0; a < bytes.length; a += 13) {
    assert.deepEqual(decodeAll(new TextDumpDecoder(), bytes, [a, Math.min(bytes.length, a + 5)]), whole, `split at ${a}`);
  }
});

test('text: times of day roll over to the next day; base date is used', () => {
  const pkt = (t: string) => `${t} IP 10.0.0.1.5060 > 10.0.0.2.5060: SIP: OPTIONS sip:a@b SIP/2.0\nE..\nOPTIONS sip:a@b SIP/2.0\nContent-Length: 0\n\n\n`;
  const { frames, d } = decodeText(pkt('23:59:59.900000') + pkt('00:00:00.100000'), { baseDate: new Date('2024-05-14T15:00:00Z') });
  const base = Date.UTC(2024, 4, 14) / 1000;
  assert.deepEqual(frames.map((f) => f.sec - base), [86399, 86400]);
  assert.equal(d.issues.filter((i) => i.code === 'text.no-date').length, 1);
  assert.equal(payloadOf(frames[1])!.payload.toString(), 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n');
});

test('text: lines outside packets are issues with line numbers, never exceptions', () => {
  const { frames, d } = decodeText('hello world\n\x00\x01 garbage\n12:00:00.000000 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n');
  assert.deepEqual(frames, []);
  assert.deepEqual(d.issues.map((i) => i.code), ['text.unrecognised-line', 'text.unrecognised-line', 'text.skipped-packets']);
  assert.match(d.issues[1].detail, /line 2/);
  assert.equal(d.issues[1].offset, 12);
});

test('text: header noise glued to the method is trimmed by the method name', () => {
  const t = '12:54:46.562096 IP 10.33.6.100.64802 > 10.33.6.101.5060: Flags [P.], seq 1:30, ack 1, win 1, length 29\nE..H..AKINVITE sip:x@y SIP/2.0\nA: b\n\n\n';
  const { frames } = decodeText(t);
  assert.equal(payloadOf(frames[0])!.payload.toString(), 'INVITE sip:x@y SIP/2.0\r\nA: b\r\n\r\n');
});

const LIVE: [string, string[]][] = [
  ['CESNET-ipfixprobe-sip.pcap', ['-nn']],
  ['NormB-sipnab-sip_call.pcap', []],
  ['NormB-sipnab-register-invite-reinvite-bye.pcap', ['-nn', '-vvv']],
  ['sipcapture-heplify-sip_ipv6_udp.pcap', ['-nn', '-vvv']],
  ['sipcapture-heplify-sip_ipv4_tcp.pcap', ['-tttt', '-nn']],
  ['aboutsip-pkts-sipp.pcap', ['-tttt']],
  ['MichalCab-ISA-sip.pcap.pcapng', ['-nn']],
  ['ossobv-sipzamine-sip-invites-with-utf8-and-latin1.pcap', ['-nn']],
];

for (const [file, flags] of LIVE) {
  test(`live tcpdump ${flags.join(' ')} -A ${file}: SIP payloads equal the capture's`, { skip: NO_TCPDUMP }, () => {
    const text = execFileSync('tcpdump', [...flags, '-A', '-r', new URL(file, CAPTURES).pathname], {
      env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28,
    });
    assert.equal(detectFormat(text), 'text');
    const { frames } = decodeText(text);
    const want = binaryPayloads(file, true);
    assert.ok(want.length > 0);
    assert.deepEqual(textPayloads(frames, true), want);
  });
}

test('live tcpdump -nn -v -A with IPv4 fragments: fragments keep id and offset', { skip: NO_TCPDUMP }, () => {
  const file = 'gprshome-wireshark-sip.pcap';
  const text = execFileSync('tcpdump', ['-nn', '-v', '-A', '-r', new URL(file, CAPTURES).pathname], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  const { frames } = decodeText(text);
  const bytes = readFileSync(new URL(file, CAPTURES));
  const binary = decodeAll(createDecoder('pcap')!, bytes);
  const frags = (fs: Frame[], ipAt: (f: Frame) => Buffer) =>
    fs.map(ipAt).filter((ip) => ip[0] >> 4 === 4 && (ip.readUInt16BE(6) & 0x3fff) !== 0).map((ip) => [ip.readUInt16BE(4), ip.readUInt16BE(6), ip.readUInt16BE(2)]);
  const want = frags(binary, (f) => f.data.subarray(14));
  assert.ok(want.length > 0);
  assert.deepEqual(frags(frames, (f) => f.data), want);
});
