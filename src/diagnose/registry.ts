/**
 * The one registry of finding codes (STYLE.md principle 6): severity, a short
 * title and the advice sentence for each code. The CLI's `--fail-on`, the
 * `--json` output and the text report all read it. Every code of SPEC.md's
 * table is here; a code SPEC.md does not know (registration, transaction
 * timing) is listed in README.md's "Finding codes beyond SPEC.md" table, and
 * test/diagnose/registry.test.ts checks both — a code is never added in a
 * rule alone.
 */
import type { Severity } from './finding.js';

export interface CodeInfo {
  /** Default severity; a rule may lower it for a milder variant (e.g. o= only). */
  severity: Severity;
  title: string;
  advice: string;
}

export const REGISTRY = {
  'nat.contact-private': {
    severity: 'warning',
    title: 'Contact is a private address behind NAT',
    advice: 'On the registrar/proxy use the packet source instead of the Contact (Kamailio fix_nated_contact/fix_nated_register, Asterisk nat=force_rport,comedia), or make the phone learn its public address (STUN) — not a SIP ALG.',
  },
  'nat.via-mismatch': {
    severity: 'info',
    title: 'top Via differs from the packet source',
    advice: 'If a NAT sits between the sender and the capture point, the sender needs rport and the server must answer to the source address and port (RFC 3581); otherwise fix the address the sender advertises (wrong bind address, multi-homed host).',
  },
  'nat.sdp-private': {
    severity: 'warning',
    title: 'SDP media address is private while signalling is public',
    advice: 'Anchor media with an RTP proxy (rtpengine/rtpproxy, Asterisk directmedia=no) or let the phone learn its public address (STUN/ICE); otherwise audio is one-way or silent.',
  },
  'nat.no-rport': {
    severity: 'warning',
    title: 'request from behind NAT without rport',
    advice: 'Enable rport (RFC 3581, "NAT keep-alive"/"symmetric signalling") on the phone, or force it on the server (Kamailio force_rport, Asterisk nat=force_rport).',
  },
  'nat.response-misrouted': {
    severity: 'error',
    title: 'response sent to the Via address instead of the request source',
    advice: 'Make the server answer to the request\'s source address and port: enable rport on the phone or force_rport on the server.',
  },
  'nat.binding-timeout': {
    severity: 'error',
    title: 'NAT binding towards a registered endpoint expired',
    advice: 'Keep the NAT binding open: a keepalive (CRLF/OPTIONS) or re-REGISTER interval shorter than the router\'s UDP timeout, or server-side NAT pings (Kamailio nathelper natping_interval).',
  },
  'alg.warning': {
    severity: 'warning',
    title: 'a SIP ALG announced itself',
    advice: 'Disable the SIP ALG ("SIP helper", "SIP transformations", nf_nat_sip) on the router or firewall on the path.',
  },
  'alg.rewrite': {
    severity: 'warning',
    title: 'SIP rewritten between the two sides of a device',
    advice: 'Disable the SIP ALG on the device between the two capture points and handle NAT on the server (rport, fix_nated_contact, RTP proxy).',
  },
  'alg.dropped': {
    severity: 'error',
    title: 'message dropped by a device',
    advice: 'Disable the SIP ALG on the device that dropped it, or check its firewall rules for SIP.',
  },
  'alg.callid-rewritten': {
    severity: 'error',
    title: 'Call-ID, tag or branch rewritten',
    advice: 'Disable the SIP ALG on the router: it rewrites dialog identifiers, which breaks transfers, re-INVITEs and dialog matching.',
  },
  'alg.malformed': {
    severity: 'error',
    title: 'SIP broken the way faulty ALGs break it',
    advice: 'Disable the SIP ALG on the router or firewall on the path; a rewrite that loses a ";" or miscounts Content-Length makes servers reject or misread the message.',
  },
  'callerid.rejected': {
    severity: 'error',
    title: 'call rejected; the caller number is not valid or not allowed',
    advice: 'Send a caller number the trunk accepts (a full number of the trunk\'s range, in the format it expects, E.164 or national) in From and P-Asserted-Identity; map internal extensions on the PBX\'s outbound route.',
  },
  'diversion.missing': {
    severity: 'error',
    title: 'forwarded call rejected without Diversion/History-Info',
    advice: 'Make the PBX add a Diversion (RFC 5806) or History-Info header naming the forwarding number (one of the trunk\'s own numbers) on forwarded calls.',
  },
  'diversion.invalid': {
    severity: 'warning',
    title: 'Diversion header malformed or names an invalid number',
    advice: 'Send Diversion as <sip:NUMBER@host>;reason=unconditional;counter=1 (RFC 5806) with a full number of the trunk\'s range.',
  },
  'sdp.codec-mismatch': {
    severity: 'error',
    title: 'offer and answer share no codec',
    advice: 'Allow a common codec on both sides (G.711 PCMA/PCMU is the usual fallback) or insert a transcoder.',
  },
  'media.one-way': {
    severity: 'error',
    title: 'media can flow in one direction only',
    advice: 'Anchor media with an RTP proxy or fix the address the SDP announces (NAT, STUN, Asterisk nat=comedia); check the sendonly/recvonly attributes the phones send.',
  },
  'register.auth-failed': {
    severity: 'error',
    title: 'REGISTER credentials rejected (challenged again)',
    advice: 'Correct the SIP account\'s authentication username, password and realm on the phone to match the registrar (the auth username is often not the extension); check the registrar\'s log for the failed user.',
  },
  'register.forbidden': {
    severity: 'error',
    title: 'REGISTER refused with 403',
    advice: 'Check the account on the registrar: password (some servers answer 403 to a wrong one), that the user exists and is enabled for this domain, that its ACL/permit allows the source address, and that fail2ban or pike has not banned it.',
  },
  'register.interval-too-brief': {
    severity: 'warning',
    title: 'REGISTER expiry below the registrar\'s Min-Expires (423)',
    advice: 'Set the phone\'s registration expiry to at least the Min-Expires the registrar names (or lower the registrar\'s minimum, e.g. Kamailio registrar min_expires, Asterisk minexpiry).',
  },
  'register.lapsed': {
    severity: 'warning',
    title: 'registration expired without a successful refresh',
    advice: 'Make the phone re-register before its binding expires (registration period shorter than the granted expires) and fix what makes the refresh fail (see the refresh attempts); until it registers again calls to it fail.',
  },
  'timing.no-provisional': {
    severity: 'error',
    title: 'INVITE without a response within T1 (500 ms)',
    advice: 'Make the next hop answer 100 Trying at once (RFC 3261 §17.2.1) and check that the INVITE reaches it: address and port, firewall, DNS, and the server\'s load.',
  },
  'timing.retransmission': {
    severity: 'warning',
    title: 'retransmissions off the RFC 3261 timer schedule',
    advice: 'Configure the sender\'s SIP timers to RFC 3261 values (T1 500 ms doubling, non-INVITE capped at T2 4 s, stop at 32 s): Asterisk timert1/timerb, Kamailio tm retr_timer1/retr_timer2, FreeSWITCH timer-T1/timer-T2.',
  },
  'timing.no-answer': {
    severity: 'error',
    title: 'INVITE got only 100 Trying, then timed out',
    advice: 'Follow the call past the hop that sent 100 Trying (capture its outgoing leg): the callee is unreachable there — unregistered, an expired NAT binding, a stale Contact or a dead gateway.',
  },
  'sip.malformed': {
    severity: 'warning',
    title: 'message could not be fully parsed',
    advice: 'Fix the sender that produced the broken message (see evidence for where); if it passed a router, suspect its SIP ALG.',
  },
  'capture.duplicate': {
    severity: 'info',
    title: 'the same packet captured twice',
    advice: 'Capture on one interface instead of "any" or deduplicate (editcap -d); these copies are not retransmissions.',
  },
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof REGISTRY;

export const CODES = Object.keys(REGISTRY) as FindingCode[];

export function codeInfo(code: FindingCode): CodeInfo {
  return REGISTRY[code];
}
