/**
 * The thesis use cases, rebuilt as traffic of the same shape (SIPvestigator,
 * 2018): a NAT binding timeout, an improper Caller-ID, a wrong Diversion
 * header among 16 calls. Plus small captures for the original's faults.
 */
import { request, response, type DialogParts } from '../../helpers/messages.js';
import type { SipPacket } from '../../helpers/sip-pcap.js';

/** 2018-04-16 15:49:30 UTC, the day of the thesis' capture. */
export const T0 = 1523893770;

const PBX = '10.20.0.22:5060';
const SBC = '10.11.12.13:5060';

/**
 * NAT timeout: the SBC's INVITE towards a phone behind NAT goes unanswered;
 * Timer A retransmits it (RFC 3261 §17.1.1.2: 0.5 s, 1, 2, 4, 8, 16 — 7 sends
 * in all before Timer B fires), and each send is captured twice, on the inside
 * and outside interface of the capture host, microseconds apart.
 */
export function natTimeout(): SipPacket[] {
  const invite = request('INVITE', { callId: 'nat-timeout@10.11.12.13', from: '4151509', to: '8969669', branch: 'z9hG4bK-nat' });
  const packets: SipPacket[] = [];
  let at = T0 + 0.333525;
  let gap = 0.5;
  for (let i = 0; i < 7; i++) {
    packets.push({ at, from: SBC, to: '192.0.2.50:5060', text: invite });
    packets.push({ at: at + 0.000040, from: '203.0.113.1:5060', to: '192.0.2.50:5060', text: invite });
    at += gap;
    gap *= 2;
  }
  return packets;
}

/** Improper Caller-ID: the PBX sends `1502` (an extension) as the caller; the carrier says 403. */
export function improperCallerId(): SipPacket[] {
  const d: DialogParts = { callId: 'callerid-1502@10.20.0.22', from: '1502', to: '8969669', branch: 'z9hG4bK-cid' };
  return [
    { at: T0 + 0.1, from: PBX, to: SBC, text: request('INVITE', d) },
    { at: T0 + 0.12, from: SBC, to: PBX, text: response(100, 'Trying', 'INVITE', d) },
    { at: T0 + 0.2, from: SBC, to: PBX, text: response(403, 'Forbidden', 'INVITE', d) },
    { at: T0 + 0.21, from: PBX, to: SBC, text: request('ACK', d) },
  ];
}

/**
 * Wrong Diversion: 16 calls. Four forwarded calls carry a Diversion header, two
 * calls go to 5660066 directly, and exactly one is forwarded to 5660066 — the
 * one whose Diversion names the wrong number.
 */
export function wrongDiversion(): SipPacket[] {
  const packets: SipPacket[] = [];
  for (let i = 0; i < 16; i++) {
    const forwarded = i === 3 || i === 5 || i === 8 || i === 11 || i === 14;
    const to = i === 14 || i === 6 || i === 9 ? '5660066' : `55500${String(i).padStart(2, '0')}`;
    const extra = forwarded ? [`Diversion: <sip:${i === 14 ? '5551234' : '4151509'}@10.20.0.22>;reason=unconditional`] : [];
    const d: DialogParts = { callId: `div-${String(i).padStart(2, '0')}@10.20.0.22`, from: `41515${String(i).padStart(2, '0')}`, to, branch: `z9hG4bK-d${i}`, extra };
    const at = T0 + i * 2;
    packets.push({ at, from: PBX, to: SBC, text: request('INVITE', d) });
    packets.push({ at: at + 0.5, from: SBC, to: PBX, text: response(i === 14 ? 403 : 200, i === 14 ? 'Forbidden' : 'OK', 'INVITE', { ...d, extra: [] }) });
  }
  return packets;
}
