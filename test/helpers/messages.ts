/**
 * Captured SIP messages built from intent for call-level tests: a message text
 * plus when and between whom it was seen, parsed by the real parser.
 */
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { parseSipMessage } from '../../src/sip/parse.js';

export interface Sighting {
  at: number; // seconds since the epoch, fractional
  from?: string; // ip:port
  to?: string;
}

export function captured(text: string, s: Sighting, seq = 0): CapturedMessage {
  const raw = Buffer.from(text.replace(/\r?\n/g, '\r\n'));
  const msg = parseSipMessage(raw);
  if (msg === null) throw new Error(`not SIP: ${text.slice(0, 40)}`);
  const [srcIp, srcPort] = (s.from ?? '10.0.0.1:5060').split(':');
  const [dstIp, dstPort] = (s.to ?? '10.0.0.2:5060').split(':');
  const sec = Math.floor(s.at);
  return {
    seq, source: 0, frame: seq + 1, sec, nsec: Math.round((s.at - sec) * 1e9),
    srcIp: srcIp!, srcPort: Number(srcPort), dstIp: dstIp!, dstPort: Number(dstPort), transport: 'udp', msg,
  };
}

export interface DialogParts {
  callId?: string;
  from?: string; // user part
  to?: string;
  cseq?: number;
  branch?: string;
  extra?: string[]; // more header lines
}

/** The dialog headers both directions carry; a response echoes the Via with rport filled and adds a To tag. */
function message(startLine: string, cseqMethod: string, p: DialogParts, response: boolean): string {
  const lines = [
    startLine,
    `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${p.branch ?? 'z9hG4bK-1'};${response ? 'rport=5060' : 'rport'}`,
    `From: <sip:${p.from ?? '4151509'}@10.0.0.1>;tag=a1`,
    `To: <sip:${p.to ?? '8969669'}@10.0.0.2>${response ? ';tag=b2' : ''}`,
    `Call-ID: ${p.callId ?? 'call-1@10.0.0.1'}`,
    `CSeq: ${p.cseq ?? 1} ${cseqMethod}`,
    ...(p.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\n');
}

export function request(method: string, p: DialogParts = {}): string {
  return message(`${method} sip:${p.to ?? '8969669'}@10.0.0.2 SIP/2.0`, method, p, false);
}

export function response(status: number, reason: string, method: string, p: DialogParts = {}): string {
  return message(`SIP/2.0 ${status} ${reason}`, method, p, true);
}
