/**
 * The SIP layer over real public captures (../shared/captures): every SIP
 * payload parses without exceptions and with a Call-ID, header parsers and
 * SDP run clean of throws, and the extracted fields match tshark's ground truth.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCSeq } from '../../src/sip/cseq.js';
import { sipStartLineKind } from '../../src/sip/detect.js';
import { SipStreamFramer } from '../../src/sip/framer.js';
import { getHeader, getHeaders } from '../../src/sip/headers.js';
import type { SipMessage } from '../../src/sip/message.js';
import { parseNameAddr } from '../../src/sip/name-addr.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { sdpOfMessage } from '../../src/sip/sdp.js';
import { parseVia } from '../../src/sip/via.js';
import { CAPTURES } from '../helpers/paths.js';
import { segments, tcpStreams } from './pcap-walk.js';

const path = (f: string) => join(CAPTURES, f);

function udpMessages(file: string): SipMessage[] {
  const out: SipMessage[] = [];
  for (const s of segments(path(file))) {
    if (s.transport !== 'udp' || sipStartLineKind(s.payload) === null) continue;
    const m = parseSipMessage(s.payload);
    assert.ok(m, `${file}: detected SIP but parse gave null`);
    out.push(m);
  }
  return out;
}

function tcpMessages(file: string): SipMessage[] {
  const out: SipMessage[] = [];
  for (const chunks of tcpStreams(segments(path(file))).values()) {
    const f = new SipStreamFramer();
    const emit = (raw: Buffer) => {
      const m = parseSipMessage(raw);
      assert.ok(m, `${file}: framer emitted non-SIP ${JSON.stringify(raw.subarray(0, 40).toString('latin1'))}`);
      out.push(m);
    };
    for (const c of chunks) f.push(c, emit);
    f.end(emit);
  }
  return out;
}

/** Run every header parser on a message: none may throw. */
function exercise(m: SipMessage): void {
  for (const v of getHeaders(m, 'via')) parseVia(v);
  for (const n of ['from', 'to', 'contact', 'route', 'record-route', 'p-asserted-identity']) {
    for (const v of getHeaders(m, n)) parseNameAddr(v);
  }
  const cseq = getHeader(m, 'cseq');
  if (cseq !== undefined) parseCSeq(cseq);
  sdpOfMessage(m);
}

/** tshark fields: method-or-status | Call-ID | CSeq | from.user | to.user, sorted. */
function truth(file: string): string[] {
  return readFileSync(path(`groundtruth/${file}.tsv`), 'utf8').split('\n').filter(Boolean).map((l) => {
    const c = l.split('\t');
    return [c[10] || c[11], c[12], c[13], c[14], c[15]].join('|');
  }).sort();
}

function ours(msgs: SipMessage[]): string[] {
  return msgs.map((m) => {
    const user = (n: string) => parseNameAddr(getHeader(m, n) ?? '').uri.user ?? '';
    return [m.kind === 'request' ? m.method : String(m.status), getHeader(m, 'call-id'), getHeader(m, 'cseq'), user('from'), user('to')].join('|');
  }).sort();
}

test('every UDP SIP payload in every capture parses, with a Call-ID', () => {
  let total = 0;
  for (const file of readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f))) {
    for (const m of udpMessages(file)) {
      total++;
      assert.ok(getHeader(m, 'call-id'), `${file}: message without Call-ID`);
      exercise(m);
    }
  }
  assert.ok(total > 9000, `only ${total} messages found`);
});

test('fields match tshark ground truth (UDP captures)', () => {
  for (const file of [
    'aboutsip-pkts-sipp.pcap', 'NormB-sipnab-sipp-branch-scenario.pcapng', 'irontec-sngrep-aaa.pcap',
    'goffinet-sip_captures-sip-register-publish-subscribe-489-401.pcapng', 'sipcapture-heplify-sip_ipv6_udp.pcap',
    'OISF-suricata-verify-sip_compact_form.pcap', 'zeek-zeek-sip-long-request-response-paths.pcap',
  ]) {
    assert.deepEqual(ours(udpMessages(file)), truth(file), file);
  }
});

test('TCP captures framed by SipStreamFramer match tshark', () => {
  for (const file of ['sipcapture-heplify-sip_ipv4_tcp.pcap', 'aboutsip-pkts-fragmented_tcp_sip.pcap']) {
    const msgs = tcpMessages(file);
    assert.deepEqual(ours(msgs), truth(file), file);
    for (const m of msgs) assert.deepEqual(m.issues, [], file);
  }
});

test('Latin-1 and UTF-8 INVITEs (sipzamine) parse; Latin-1 is reported, not fatal', () => {
  const msgs = udpMessages('ossobv-sipzamine-sip-invites-with-utf8-and-latin1.pcap');
  assert.equal(msgs.length, 30);
  assert.ok(msgs.some((m) => m.issues.some((i) => i.code === 'sip.invalid-utf8')));
  assert.ok(msgs.every((m) => m.issues.every((i) => i.code === 'sip.invalid-utf8')));
  assert.deepEqual(ours(msgs).map((s) => s.split('|').slice(0, 3).join('|')), truth('ossobv-sipzamine-sip-invites-with-utf8-and-latin1.pcap').map((s) => s.split('|').slice(0, 3).join('|')));
});

test('zeek invalid Content-Length capture: reported, message still parsed', () => {
  const msgs = udpMessages('zeek-zeek-invalid-content-length.pcap');
  assert.equal(msgs.length, 2);
  for (const m of msgs) {
    assert.ok(m.issues.some((i) => i.code === 'sip.bad-content-length'));
    assert.ok(getHeader(m, 'call-id'));
  }
});
