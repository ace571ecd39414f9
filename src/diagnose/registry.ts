/**
 * The one registry of finding codes (STYLE.md principle 6): severity, a short
 * title and the advice sentence for each code of SPEC.md's table. The CLI's
 * `--fail-on`, the `--json` output and the text report all read it, and a
 * contract test checks it against SPEC.md both ways — a code is added here and
 * in SPEC.md together, never in a rule alone.
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
