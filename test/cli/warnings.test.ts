/**
 * Where a warning points: `sipv: FILE:offset N:` is a place in the file, so a
 * problem inside one packet names the frame and its byte, and one inside a TCP
 * stream names the direction and the stream byte — never as a file offset.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { pcap } from '../helpers/capture-builders.js';
import { eth, ipv4, tcp, udp, wsFrame } from '../helpers/packet-builders.js';
import { basicHeaders, sipRequest } from '../helpers/sip-builders.js';
import { writeTemp } from '../helpers/sip-pcap.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const SEC = 1_700_000_000;
const invite = (callId: string): Buffer => sipRequest({ headers: basicHeaders('INVITE', callId) });

test('a damaged packet and a damaged WebSocket stream: warnings name the frame byte and the stream byte', { skip: BIN_MISSING }, () => {
  const good = eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, udp({ sport: 5060, dport: 5060 }, invite('udp-ok@x'))));
  // An IPv4 packet whose UDP header is cut short: 14 (Ethernet) + 20 (IPv4) bytes in, 4 of its 8 bytes present.
  const cut = eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, Buffer.alloc(4)));
  const cutUdp = Buffer.from(cut);
  cutUdp[14 + 9] = 17;
  const hs = 'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n';
  const sipOverWs = wsFrame({ mask: true }, invite('ws-ok@x'));
  const compressed = wsFrame({ mask: true, rsv1: true }, 'zz');
  const seg = (seq: number, data: Buffer | string): Buffer => eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }, tcp({ sport: 40000, dport: 5060, seq }, data)));
  const frames = [good, cutUdp, seg(1000, hs), seg(1000 + hs.length, sipOverWs), seg(1000 + hs.length + sipOverWs.length, compressed)];
  const file = writeTemp({ 'warnings.pcap': pcap({ records: frames.map((data, i) => ({ sec: SEC, frac: i * 1000, data })) }) })['warnings.pcap']!;
  const r = sipv(['calls', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /udp-ok@x/);
  assert.match(r.stdout, /ws-ok@x/);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.some((l) => /^sipv: \S+warnings\.pcap: warning: frame 2, byte 34: UDP header needs 8 bytes, 4 available$/.test(l)), r.stderr);
  const wsAt = hs.length + sipOverWs.length;
  assert.ok(lines.some((l) => l.endsWith(`warning: tcp 10.0.0.1:40000 -> 10.0.0.2:5060, stream byte ${wsAt}: permessage-deflate frames are not decoded`)), r.stderr);
  assert.ok(lines.every((l) => !/:offset \d+:/.test(l)), `no file offset for in-packet or in-stream problems: ${r.stderr}`);
});
