/**
 * Every real public capture in ../shared/captures, diagnosed with all rules:
 * the findings per file (code(severity) → count) are exactly these, and every
 * file not listed yields none. Each line was checked by hand against the
 * capture (tshark -V / tcpdump -A); the comment says why the finding is right.
 * A clean capture must stay clean: a new false alarm fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES } from '../helpers/paths.js';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { diagnose } from '../../src/diagnose/engine.js';

const EXPECTED: Record<string, Record<string, number>> = {
  // A SIP scanner (friendly-scanner style) whose Via says 127.0.1.1 (Debian's hostname entry)
  // while it sends from 147.32.77.113: true mismatch, one per call; its Contact is loopback, not NAT.
  'CESNET-ipfixprobe-sip.pcap': { 'nat.via-mismatch(info)': 15 },
  // The PPPoE host 178.45.73.241 advertises port 5060 in Via but sends from 1032/1033 (port only).
  'NormB-sipnab-DTMFsipinfo.pcap': { 'nat.via-mismatch(info)': 2 },
  // Asterisk answers a PCMU-only offer listing GSM, speex, PCMA, iLBC too (three INVITEs of call 6).
  'NormB-sipnab-b2bua-asterisk.pcapng': { 'sdp.codec-mismatch(info)': 3 },
  // Answer lists payload 101 without rtpmap, not in the PCMA-only offer.
  'NormB-sipnab-h263-over-rtp.pcap': { 'sdp.codec-mismatch(info)': 1 },
  // sipp offers recvonly, the answer is sendonly: one-way by the caller's choice (info), twice.
  // The answers add telephone-event/8000, which sipp's offers lack (sdp.codec-mismatch info).
  'NormB-sipnab-sip-rtp-g711.pcap': { 'media.one-way(info)': 2, 'sdp.codec-mismatch(info)': 2 },
  'NormB-sipnab-sip-rtp-opus-hybrid.pcap': { 'media.one-way(info)': 1, 'sdp.codec-mismatch(info)': 1 },
  // Crafted REGISTER from 1.1.1.1:5555 with Via/Contact 192.168.1.2: genuinely NATed content.
  'OISF-suricata-verify-sip-pattern-matching_sip.pcap': { 'nat.contact-private(warning)': 1, 'nat.via-mismatch(info)': 1 },
  // Crafted INVITE from 1.1.1.1:5555, Via/Contact/c= 192.168.1.2 (NAT), and `l: 272` for a
  // 372-byte SDP over UDP — the Content-Length mismatch SPEC.md lists under alg.malformed.
  'OISF-suricata-verify-sip_compact_form.pcap': {
    'nat.contact-private(warning)': 1, 'nat.via-mismatch(info)': 1, 'nat.sdp-private(warning)': 1, 'alg.malformed(error)': 1,
  },
  // The answer adds GSM to an offer without it.
  'goffinet-sip_captures-sip-flow-private-3.pcapng': { 'sdp.codec-mismatch(info)': 1 },
  // LAN capture: the phone 192.168.5.5 listens on 11853/7790 but sends from 1072/1067/1033.
  'goffinet-sip_captures-voip-extension2downata.pcap': { 'nat.via-mismatch(info)': 4 },
  // Via 10.133.206.47 arriving from 10.8.0.1 (an OpenVPN masquerade): 22 REGISTER retries, one finding.
  'ntop-nDPI-webex.pcap': { 'nat.via-mismatch(info)': 1 },
  // Latin-1 display names: not UTF-8 (RFC 3261 §7.3.1), the point of this sample.
  'ossobv-sipzamine-sip-invites-with-utf8-and-latin1.pcap': { 'sip.malformed(warning)': 1 },
  // HEP copies with the same IP ID seen twice on the docker bridge: real capture duplicates.
  'sipcapture-hep-wireshark-hep3_compressed.pcap.pcapng': { 'capture.duplicate(info)': 1 },
  // Phones 192.168.8.53/.73 behind NAT 180.173.83.248 (mirrored over ERSPAN): private Contact,
  // Via without rport, private c=; OmniPCX NOTIFYs with Latin-1 bytes. The OmniPCX's Via .191
  // sent from .198 is a multi-homed host: via-mismatch (info) but no no-rport.
  'sipcapture-heplify-erspan_sip_ipv4_udp.pcapng': {
    'nat.contact-private(warning)': 6, 'nat.via-mismatch(info)': 9, 'nat.no-rport(warning)': 5,
    'nat.sdp-private(warning)': 3, 'sip.malformed(warning)': 1,
  },
  // The answer lists gsm, iLBC and speex beyond the offered PCMA/G729/G723/PCMU, and telephone-event
  // the offer lacked.
  'sipcapture-heplify-rtp_rtcp_sip_ipv4_udp.pcap': { 'sdp.codec-mismatch(info)': 2 },
  // INVITE says Content-Length 657, the SCTP chunk holds 345 body bytes (tshark agrees); the
  // 403 "nocallee" names the callee, and the caller 9171969136 (phone-context +7) is valid.
  'sipcapture-heplify-sip_sctp.pcap': { 'sip.malformed(warning)': 1 },
  // Content-Length "bad" and "xyz" (scapy-made).
  'zeek-zeek-invalid-content-length.pcap': { 'sip.malformed(warning)': 1 },
};

const files = readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

test('the capture corpus is there', () => {
  assert.ok(files.length >= 50, `${files.length} captures in ${CAPTURES}`);
  for (const f of Object.keys(EXPECTED)) assert.ok(files.includes(f), f);
});

for (const file of files) {
  test(`diagnose ${file}`, async () => {
    const store = new CallStore({ keep: () => true });
    await loadInputs([join(CAPTURES, file)], store);
    const counts: Record<string, number> = {};
    for (const f of diagnose({ calls: store.calls() })) {
      const k = `${f.code}(${f.severity})`;
      counts[k] = (counts[k] ?? 0) + 1;
    }
    assert.deepEqual(counts, EXPECTED[file] ?? {});
  });
}
