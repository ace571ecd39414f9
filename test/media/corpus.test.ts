/**
 * media.one-way with RTP read (as `sipv diagnose` does) on every corpus
 * capture tagged rtp-media: exactly these findings. Checked by hand with
 * `tshark -o rtp.heuristic_rtp:TRUE -z rtp,streams` and `-Y "udp && !sip"`:
 * the silent side sent no RTP (nor any UDP from its media port) at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { diagnose } from '../../src/diagnose/engine.js';
import { collectRtp } from '../../src/media/collect.js';
import { announcedEndpoints } from '../../src/media/index.js';
import { CAPTURES } from '../helpers/paths.js';

const EXPECTED: Record<string, string[]> = {
  // Asterisk bridges 192.168.1.2 → .13 with direct media: .13 sends 115 packets to .2, .2 sends
  // nothing (and never ACKs Asterisk's 200 OK, retransmitted three times): both legs one-way.
  'MichalCab-ISA-hodinovy_rozhovor_s_filipem.pcap': ['error callee → caller only: 115', 'error callee → caller only: 115'],
  // 172.16.98.1 sends a single PCMU packet against 355 from Asterisk, on both legs of the B2BUA.
  'NormB-sipnab-b2bua-asterisk.pcapng': ['warning callee → caller only: 355', 'warning callee → caller only: 355'],
  // sipp offers recvonly (SDP judgement, info).
  'NormB-sipnab-sip-rtp-g711.pcap': ['info recvonly', 'info recvonly'],
  'NormB-sipnab-sip-rtp-opus-hybrid.pcap': ['info recvonly'],
  // sipp UAC plays a pcap (501 PCMU packets 6001 → 6000); the UAS sends none.
  'aboutsip-pkts-sip_rtp.pcap': ['error caller → callee only: 501'],
  // Softphone labs: 960 G.722, 592 Opus, 17 PCMU packets one way; nothing from the other side.
  'goffinet-sip_captures-private-test-sip-2.pcapng': ['error caller → callee only: 960'],
  'goffinet-sip_captures-sip-flow-private.pcapng': ['error caller → callee only: 592'],
  'goffinet-sip_captures-sip-phone-to-phone.pcapng': ['error callee → caller only: 17'],
};

const files = readFileSync(join(CAPTURES, 'MANIFEST.tsv'), 'utf8').split('\n')
  .filter((l) => /\brtp-media\b/.test(l)).map((l) => l.split('\t')[0]!).filter((f) => /\.(pcap|pcapng)$/.test(f));

test('the rtp-media captures are there', () => {
  assert.ok(files.length >= 20, `${files.length}`);
  for (const f of Object.keys(EXPECTED)) assert.ok(files.includes(f), f);
});

for (const file of files) {
  test(`media.one-way with RTP: ${file}`, async () => {
    const path = join(CAPTURES, file);
    const store = new CallStore({ keep: () => true });
    await loadInputs([path], store);
    const media = await collectRtp([path], announcedEndpoints(store.calls()));
    const got = diagnose({ calls: store.calls(), media }).filter((f) => f.code === 'media.one-way').map((f) => {
      const m = /RTP flowed (\S+ → \S+) only: (\d+)/.exec(f.summary);
      return `${f.severity} ${m ? `${m[1]} only: ${m[2]}` : /recvonly|sendonly/.exec(f.summary)?.[0] ?? f.summary}`;
    });
    assert.deepEqual(got, EXPECTED[file] ?? []);
  });
}
