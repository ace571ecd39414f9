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
  // Its REGISTERs guess user 6001's password at an Asterisk: each credentialed REGISTER answers the
  // latest 401's nonce and is challenged again (5 and 3 times): register.auth-failed per Call-ID.
  'CESNET-ipfixprobe-sip.pcap': { 'nat.via-mismatch(info)': 15, 'register.auth-failed(error)': 2 },
  // The PPPoE host 178.45.73.241 advertises port 5060 in Via but sends from 1032/1033 (port only).
  'NormB-sipnab-DTMFsipinfo.pcap': { 'nat.via-mismatch(info)': 2 },
  // Asterisk answers a PCMU-only offer listing GSM, speex, PCMA, iLBC too (three INVITEs of call 6).
  // Asterisk's INVITE to telephone2 (Android softphone) is retransmitted at 0.5 s; 100 only at 0.64 s:
  // one retransmission, the call goes on — timing.no-provisional as info.
  'NormB-sipnab-b2bua-asterisk.pcapng': { 'sdp.codec-mismatch(info)': 3, 'timing.no-provisional(info)': 1 },
  // Answer lists payload 101 without rtpmap, not in the PCMA-only offer.
  'NormB-sipnab-h263-over-rtp.pcap': { 'sdp.codec-mismatch(info)': 1 },
  // REGISTER: 401, then the credentialed REGISTER gets 403 Forbidden (what the sample is named after).
  'NormB-sipnab-sip-auth-failure.pcapng': { 'register.forbidden(error)': 1 },
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
  // FreePBX retransmits its INVITE to the CSipSimple phone at 0.44 s, 100 Trying comes at 0.58 s (info).
  'goffinet-sip_captures-test_voip.pcap.pcapng': { 'timing.no-provisional(info)': 1 },
  // LAN capture: the phone 192.168.5.5 listens on 11853/7790 but sends from 1072/1067/1033.
  // It hunts L1-a..L1-d on the ATA 192.168.5.2, which is down (the file's name): each INVITE sent
  // 3 times over 1.5 s, nothing back (timing.no-provisional error, 4). The CANCEL resent every 4 s
  // from the capture's first packet is timer E's capped phase, not a deviation.
  'goffinet-sip_captures-voip-extension2downata.pcap': { 'nat.via-mismatch(info)': 4, 'timing.no-provisional(error)': 4 },
  // The proxy resends its INVITE to eyeBeam 101 after 2.17 s (T1 ≈ 2 s, info); 180 only after 2.96 s,
  // one retransmission (info). eyeBeam's refreshes with an old nonce re-challenged are no auth failure.
  'gprshome-wireshark-sip.pcap': { 'timing.no-provisional(info)': 1, 'timing.retransmission(info)': 1 },
  // "403 Wrong password" to a credentialed REGISTER; "401 nonce has changed" (17 s to answer a
  // challenge) is a stale nonce, not a failure. INVITEs to voip.brujula.net (100 after 2.2 s) and
  // sip.cybercity.dk (407 after 1.65 s) each sent 3 times first: late answers, warning.
  'irontec-sngrep-aaa.pcap': { 'register.forbidden(error)': 1, 'timing.no-provisional(warning)': 2 },
  // Via 10.133.206.47 arriving from 10.8.0.1 (an OpenVPN masquerade): 22 REGISTER retries, one finding.
  // Zoiper's unanswered REGISTERs go at 1, 1, 1.4 s, then every 4 s (not 0.5 s doubling) — twice.
  'ntop-nDPI-webex.pcap': { 'nat.via-mismatch(info)': 1, 'timing.retransmission(warning)': 2 },
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
