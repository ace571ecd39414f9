/**
 * Synthetic before/after sightings for compare tests: one SIP text seen on the
 * LAN side, and the same text (optionally edited the way an ALG would) seen on
 * the WAN side after NAT.
 */
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { captured } from '../helpers/messages.js';

export const PHONE = '192.168.20.100:5060';
export const PUBLIC = '203.0.113.1:5060';
export const SERVER = '203.0.113.10:5060';

export const REGISTER = [
  'REGISTER sip:203.0.113.10 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.20.100:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'From: <sip:alice@203.0.113.10>;tag=1928301774',
  'To: <sip:alice@203.0.113.10>',
  'Call-ID: a84b4c76e66710@192.168.20.100',
  'CSeq: 1 REGISTER',
  'Contact: <sip:alice@192.168.20.100:5060>',
  'Expires: 3600',
  'Content-Length: 0',
  '', ''].join('\n');

export const SDP = ['v=0', 'o=alice 1 1 IN IP4 192.168.20.100', 's=-', 'c=IN IP4 192.168.20.100', 't=0 0',
  'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

export function invite(sdp = SDP, callId = 'inv-1@lab', contentLength?: number): string {
  return [
    'INVITE sip:bob@203.0.113.10 SIP/2.0',
    'Via: SIP/2.0/UDP 192.168.20.100:5060;branch=z9hG4bKinv1;rport',
    'Max-Forwards: 70',
    'From: "alice" <sip:alice@203.0.113.10>;tag=ft1',
    'To: <sip:bob@203.0.113.10>',
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@192.168.20.100:5060>',
    'Content-Type: application/sdp',
    `Content-Length: ${contentLength ?? Buffer.byteLength(sdp)}`,
    '', sdp].join('\r\n');
}

/** Outbound: LAN sighting at `at`, WAN sighting slightly later (plus a clock offset). */
export function outbound(before: string, after: string, at: number, offset = 0, seq = 0): [CapturedMessage, CapturedMessage] {
  return [
    captured(before, { at, from: PHONE, to: SERVER }, seq),
    captured(after, { at: at + 0.0001 + offset, from: PUBLIC, to: SERVER }, seq),
  ];
}

/** Every occurrence of the phone's address replaced by the public one: what the kernel ALG does. */
export function algRewrite(text: string): string {
  const out = text.replaceAll('192.168.20.100', '203.0.113.1');
  const [, body = ''] = out.split(/\r?\n\r?\n/);
  if (body === '') return out;
  return out.replace(/Content-Length: \d+/, `Content-Length: ${Buffer.byteLength(body)}`);
}
