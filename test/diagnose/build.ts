/**
 * SIP scenarios for diagnosis tests, built from intent: who sends what to
 * whom, and which header says which address. Every message goes through the
 * real parser and the real call store, then through the engine.
 */
import { CallStore } from '../../src/calls/store.js';
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { diagnose } from '../../src/diagnose/engine.js';
import type { Finding } from '../../src/diagnose/finding.js';
import type { DiagnoseOptions, Rule } from '../../src/diagnose/rule.js';
import { parseSipMessage } from '../../src/sip/parse.js';

export interface Wire {
  at: number;
  from: string; // ip:port of the packet
  to: string;
  transport?: 'udp' | 'tcp';
}

/** One message: start line, headers, optional body; Content-Length added unless a header gives it. */
export function sip(wire: Wire, start: string, headers: string[], body = ''): CapturedMessage {
  const hasCl = headers.some((h) => /^(content-length|l)\s*:/i.test(h));
  const lines = [start, ...headers, ...(hasCl ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]), '', body];
  const raw = Buffer.from(lines.join('\r\n'));
  const msg = parseSipMessage(raw);
  if (msg === null) throw new Error(`not SIP: ${start}`);
  const [srcIp, srcPort] = split(wire.from);
  const [dstIp, dstPort] = split(wire.to);
  const sec = Math.floor(wire.at);
  return { seq: 0, source: 0, frame: 0, sec, nsec: Math.round((wire.at - sec) * 1e9), srcIp, srcPort, dstIp, dstPort, transport: wire.transport ?? 'udp', msg };
}

function split(ep: string): [string, number] {
  const i = ep.lastIndexOf(':');
  return [ep.slice(0, i).replace(/^\[|\]$/g, ''), Number(ep.slice(i + 1))];
}

export interface Dialog {
  callId?: string;
  method?: string;
  cseq?: number;
  /** Via sent-by as the sender writes it. */
  via?: string;
  viaParams?: string;
  /** Extra Vias below the top one (forwarded requests). */
  lowerVias?: string[];
  branch?: string;
  from?: string; // user
  fromTag?: string;
  to?: string;
  toTag?: string;
  contact?: string;
  extra?: string[];
  sdp?: string;
}

export function request(wire: Wire, d: Dialog = {}): CapturedMessage {
  const method = d.method ?? 'INVITE';
  const headers = [
    `Via: SIP/2.0/${(wire.transport ?? 'udp').toUpperCase()} ${d.via ?? wire.from};branch=${d.branch ?? 'z9hG4bK-1'}${d.viaParams ?? ';rport'}`,
    ...(d.lowerVias ?? []).map((v) => `Via: ${v}`),
    'Max-Forwards: 70',
    `From: <sip:${d.from ?? 'alice'}@example.com>;tag=${d.fromTag ?? 'f1'}`,
    `To: <sip:${d.to ?? 'bob'}@example.com>${d.toTag ? `;tag=${d.toTag}` : ''}`,
    `Call-ID: ${d.callId ?? 'c1@example.com'}`,
    `CSeq: ${d.cseq ?? 1} ${method}`,
    ...(d.contact === undefined ? [] : [`Contact: <${d.contact}>`]),
    ...(d.extra ?? []),
    ...(d.sdp ? ['Content-Type: application/sdp'] : []),
  ];
  return sip(wire, `${method} sip:${d.to ?? 'bob'}@example.com SIP/2.0`, headers, d.sdp ?? '');
}

/** A response to `d`'s request: the same Via line as the request carried (plus received/rport when given). */
export function response(wire: Wire, status: number, reason: string, d: Dialog = {}): CapturedMessage {
  const method = d.method ?? 'INVITE';
  const headers = [
    `Via: SIP/2.0/${(wire.transport ?? 'udp').toUpperCase()} ${d.via ?? wire.to};branch=${d.branch ?? 'z9hG4bK-1'}${d.viaParams ?? ';rport'}`,
    `From: <sip:${d.from ?? 'alice'}@example.com>;tag=${d.fromTag ?? 'f1'}`,
    `To: <sip:${d.to ?? 'bob'}@example.com>;tag=${d.toTag ?? 't1'}`,
    `Call-ID: ${d.callId ?? 'c1@example.com'}`,
    `CSeq: ${d.cseq ?? 1} ${method}`,
    ...(d.contact === undefined ? [] : [`Contact: <${d.contact}>`]),
    ...(d.extra ?? []),
    ...(d.sdp ? ['Content-Type: application/sdp'] : []),
  ];
  return sip(wire, `SIP/2.0 ${status} ${reason}`, headers, d.sdp ?? '');
}

export function sdp(ip: string, port: number, payloads: string, extra: string[] = [], origin = ip): string {
  return [
    'v=0', `o=- 1 1 IN IP4 ${origin}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0',
    `m=audio ${port} RTP/AVP ${payloads}`, ...extra, '',
  ].join('\r\n');
}

/** Run rules (default: all) over the messages as one capture; findings of every call. */
export function run(messages: CapturedMessage[], rules?: Rule[], options: DiagnoseOptions = {}): Finding[] {
  const store = new CallStore({ keep: () => true });
  for (const m of messages) store.add({ ...m, seq: store.messagesSeen });
  const calls = store.calls();
  return diagnose(rules === undefined ? { calls, options } : { calls, options, rules });
}

export const codes = (fs: Finding[]): string[] => fs.map((f) => f.code);
