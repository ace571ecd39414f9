/**
 * RTP statistics against Wireshark on the same captures. The figures are
 * `tshark -o rtp.heuristic_rtp:TRUE -r FILE -q -z rtp,streams` (TShark 4.0.17):
 * packets, lost, mean and max jitter (ms) per stream; with the heuristic on
 * tshark decodes every RTP packet (by SDP alone it misses 185 of 188 packets
 * of MichalCab-ISA-real_call's 10.0.2.5 stream, set up by a re-INVITE). When
 * tshark is installed the table is also re-checked against it live.
 * Our streams come from the product path: SDP-announced endpoints only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { collectRtp } from '../../src/media/collect.js';
import { announcedEndpoints } from '../../src/media/index.js';
import { streamStats } from '../../src/media/streams.js';
import { CAPTURES } from '../helpers/paths.js';

/** src > dst ssrc: packets lost meanJitter maxJitter — tshark's own lines. */
const TSHARK: Record<string, string[]> = {
  // 369 lost (64.3 %): the X-Lite stream after ZFONE's re-INVITE, sequence numbers jump.
  'NormB-sipnab-Asterisk_ZFONE_XLITE.pcap': [
    '192.168.10.41:64508 > 192.168.10.2:18874 0xBEE0F2ED 2 0 0.027 0.027',
    '192.168.10.41:64508 > 192.168.10.40:49848 0xBEE0F2ED 205 369 0.402 1.265',
    '192.168.10.40:49848 > 192.168.10.41:64508 0xB72A7104 790 1 0.484 6.824',
  ],
  'gprshome-wireshark-sip.pcap': [
    '192.168.1.104:51412 > 192.168.1.105:7902 0xF3271435 2992 0 2.032 19.020',
    '192.168.1.105:7902 > 192.168.1.104:51412 0x054F45C9 2751 0 15.005 158.220',
  ],
  'MichalCab-ISA-real_call.pcap': [
    '10.0.2.4:7078 > 10.0.2.5:7078 0x15D7B1AC 152 0 11.948 16.378',
    '10.0.2.5:7078 > 10.0.2.4:7078 0x38D2EBB2 188 0 8.781 12.451',
  ],
  'NormB-sipnab-sip-rtp-g711.pcap': [
    '10.0.2.15:28102 > 10.0.2.20:6000 0x343FFA34 414 0 0.004 0.019',
    '10.0.2.15:27942 > 10.0.2.20:6000 0x343DA99B 425 0 0.006 0.010',
  ],
  'aboutsip-pkts-sip_rtp.pcap': ['127.0.0.1:6001 > 127.0.0.1:6000 0xFEBD6340 501 0 0.562 8.162'],
  'goffinet-sip_captures-test_voip.pcap.pcapng': [
    '192.168.87.86:15886 > 192.168.87.49:4000 0x2898E2A4 334 0 0.510 1.191',
    '192.168.87.32:2234 > 192.168.87.86:13660 0x167C2562 355 0 0.175 0.424',
    '192.168.87.86:13660 > 192.168.87.32:2234 0x08390B7F 345 0 19.744 22.250',
    '192.168.87.49:4000 > 192.168.87.86:15886 0x530A1D36 362 0 19.728 22.339',
  ],
  'sipcapture-heplify-rtp_rtcp_sip_ipv4_udp.pcap': [
    '200.57.7.202:30000 > 200.57.7.196:40362 0x00002E3D 6 0 0.257 0.639',
    '200.57.7.196:40376 > 200.57.7.204:8000 0x58F33DEA 891 0 0.099 0.251',
    '200.57.7.199:4800 > 200.57.7.196:40378 0x58F33DEA 891 0 0.030 0.078',
    '200.57.7.196:40378 > 200.57.7.199:4800 0xD2BD4E3E 548 0 2.548 7.400',
    '200.57.7.204:8000 > 200.57.7.196:40376 0xD2BD4E3E 548 0 2.517 7.407',
  ],
};

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

/** tshark lines our product path leaves out on purpose: RTP no SIP SDP announced. */
const NOT_ANNOUNCED = new Set([
  // Set up by MGCP (CRCX in frames 2945/2946), not SIP.
  '200.57.7.202:30000 > 200.57.7.196:40362',
  // Found by tshark's heuristic only: no SDP (SIP or MGCP) names 200.57.7.199:4800 or :40378.
  '200.57.7.199:4800 > 200.57.7.196:40378', '200.57.7.196:40378 > 200.57.7.199:4800',
]);

interface Row { key: string; ssrc: string; packets: number; lost: number; mean: number; max: number }
const row = (line: string): Row => {
  const [src, , dst, ssrc, packets, lost, mean, max] = line.split(' ');
  return { key: `${src} > ${dst}`, ssrc: ssrc!, packets: Number(packets), lost: Number(lost), mean: Number(mean), max: Number(max) };
};

async function ours(file: string): Promise<Row[]> {
  const path = join(CAPTURES, file);
  const store = new CallStore({ keep: () => true });
  await loadInputs([path], store);
  // The product path: SDP-announced endpoints, static clock rates (all G.711 here).
  const media = await collectRtp([path], announcedEndpoints(store.calls()));
  return media.all().map((s) => {
    const st = streamStats(s);
    return { key: `${st.src} > ${st.dst}`, ssrc: st.ssrc, packets: st.packets, lost: st.lost, mean: st.meanJitterMs!, max: st.maxJitterMs! };
  }).sort((a, b) => (a.key + a.ssrc).localeCompare(b.key + b.ssrc));
}

for (const [file, want] of Object.entries(TSHARK)) {
  test(`RTP streams of ${file}: packets, lost and jitter as tshark -z rtp,streams`, async () => {
    const got = await ours(file);
    const exp = want.map(row).filter((r) => !NOT_ANNOUNCED.has(r.key)).sort((a, b) => (a.key + a.ssrc).localeCompare(b.key + b.ssrc));
    assert.deepEqual(got.map((r) => `${r.key} ${r.ssrc} ${r.packets} ${r.lost}`), exp.map((r) => `${r.key} ${r.ssrc} ${r.packets} ${r.lost}`));
    // Jitter: same RFC 3550 estimator; tshark prints 3 decimals, so ±0.001 ms of rounding.
    got.forEach((r, i) => {
      assert.ok(Math.abs(r.mean - exp[i]!.mean) <= 0.0011, `${r.key} mean jitter ${r.mean} vs tshark ${exp[i]!.mean}`);
      assert.ok(Math.abs(r.max - exp[i]!.max) <= 0.0011, `${r.key} max jitter ${r.max} vs tshark ${exp[i]!.max}`);
    });
  });
  test(`tshark still says so for ${file}`, { skip: HAVE_TSHARK ? false : 'tshark is not installed' }, () => {
    const r = spawnSync('tshark', ['-o', 'rtp.heuristic_rtp:TRUE', '-r', join(CAPTURES, file), '-q', '-z', 'rtp,streams'], { encoding: 'utf8' });
    const lines = r.stdout.split('\n').filter((l) => /^\s+\d+\.\d+\s/.test(l)).map((l) => {
      const c = l.trim().split(/\s+/);
      const pkts = c.findIndex((x, i) => i > 6 && /^\d+$/.test(x));
      const jit = c.slice(pkts + 3).filter((x) => /^\d+\.\d+$/.test(x));
      return `${c[2]}:${c[3]} > ${c[4]}:${c[5]} ${c[6]} ${c[pkts]} ${c[pkts + 1]} ${jit[4]} ${jit[5]}`;
    });
    assert.deepEqual(lines.sort(), [...want].sort());
  });
}
