/**
 * The data behind the HTML report: a summary of the selected calls, one table
 * row per call, and per call its ladder, its messages and its findings. The
 * page embeds this as JSON and draws each call's ladder only when it is opened,
 * so 10,000 calls cost their text, not pre-rendered SVG.
 */
import type { Call } from '../../calls/call.js';
import { toIso } from '../../core/time.js';
import type { Finding } from '../../diagnose/finding.js';
import { callToJson, type CallJson } from '../json.js';
import { buildLadder, type Ladder } from '../ladder.js';

export interface ReportMessage {
  /** Index within the call: what findings' `messages` refer to. */
  index: number;
  time: string;
  src: string;
  dst: string;
  transport: string;
  frame: number;
  raw: string;
}

export interface ReportCall extends CallJson {
  findings: number;
  /** Worst severity among the call's findings, if any. */
  worst: Finding['severity'] | null;
}

export interface ReportDetail {
  ladder: Ladder;
  messages: ReportMessage[];
  findings: Finding[];
}

export interface ReportSummary {
  calls: number;
  messages: number;
  /** Calls whose first request is an INVITE, and how many of them got a 2xx. */
  inviteCalls: number;
  answered: number;
  /** Answer-seizure ratio in percent (answered / INVITE calls), null without INVITEs. */
  asr: number | null;
  failureCauses: { status: number; reason: string; calls: number }[];
  topTalkers: { ip: string; calls: number; messages: number }[];
  findings: { code: string; severity: string; count: number }[];
}

export interface ReportModel {
  title: string;
  generated: string;
  inputs: string[];
  summary: ReportSummary;
  calls: ReportCall[];
  details: ReportDetail[];
}

const TOP_TALKERS = 10;

export function buildReport(inputs: string[], calls: readonly Call[], findings: readonly Finding[], generated = new Date()): ReportModel {
  const byCall = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byCall.get(f.callId) ?? [];
    list.push(f);
    byCall.set(f.callId, list);
  }
  const rows: ReportCall[] = [];
  const details: ReportDetail[] = [];
  for (const call of calls) {
    const own = byCall.get(call.callId) ?? [];
    rows.push({ ...callToJson(call), findings: own.length, worst: worstOf(own) });
    const messages = call.kept ?? [];
    details.push({
      ladder: buildLadder(call.callId, messages),
      messages: messages.map((m, index) => ({
        index, time: toIso(m),
        src: ladderAddress(m.srcIp, m.srcPort), dst: ladderAddress(m.dstIp, m.dstPort),
        transport: m.transport, frame: m.frame, raw: m.msg.raw.toString('utf8'),
      })),
      findings: own,
    });
  }
  return {
    title: inputs.length === 1 ? inputs[0]! : `${inputs.length} captures`,
    generated: generated.toISOString(),
    inputs,
    summary: summarise(calls, findings, details),
    calls: rows,
    details,
  };
}

function ladderAddress(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function worstOf(findings: readonly Finding[]): Finding['severity'] | null {
  const order = ['info', 'warning', 'error'] as const;
  let worst = -1;
  for (const f of findings) worst = Math.max(worst, order.indexOf(f.severity));
  return worst < 0 ? null : order[worst]!;
}

function summarise(calls: readonly Call[], findings: readonly Finding[], details: readonly ReportDetail[]): ReportSummary {
  const invites = calls.filter((c) => c.firstMethod === 'INVITE');
  const answered = invites.filter((c) => c.finalStatus !== null && c.finalStatus >= 200 && c.finalStatus < 300).length;
  const causes = new Map<number, { reason: string; calls: number }>();
  calls.forEach((c, i) => {
    if (c.firstMethod !== 'INVITE' || c.finalStatus === null || c.finalStatus < 300) return;
    const entry = causes.get(c.finalStatus) ?? { reason: reasonOf(details[i]!, c.finalStatus), calls: 0 };
    entry.calls++;
    causes.set(c.finalStatus, entry);
  });
  const talkers = new Map<string, { calls: number; messages: number }>();
  for (const c of calls) {
    for (const ip of new Set([c.srcIp, c.dstIp])) {
      const t = talkers.get(ip) ?? { calls: 0, messages: 0 };
      t.calls++;
      t.messages += c.messages;
      talkers.set(ip, t);
    }
  }
  const codes = new Map<string, { severity: string; count: number }>();
  for (const f of findings) {
    const e = codes.get(f.code) ?? { severity: f.severity, count: 0 };
    e.count++;
    codes.set(f.code, e);
  }
  return {
    calls: calls.length,
    messages: calls.reduce((n, c) => n + c.messages, 0),
    inviteCalls: invites.length,
    answered,
    asr: invites.length === 0 ? null : Math.round((1000 * answered) / invites.length) / 10,
    failureCauses: [...causes].map(([status, e]) => ({ status, ...e })).sort((a, b) => b.calls - a.calls || a.status - b.status),
    topTalkers: [...talkers].map(([ip, t]) => ({ ip, ...t })).sort((a, b) => b.calls - a.calls || b.messages - a.messages).slice(0, TOP_TALKERS),
    findings: [...codes].map(([code, e]) => ({ code, ...e })).sort((a, b) => b.count - a.count),
  };
}

/** The reason phrase the call's final response carried, e.g. `Busy Here`. */
function reasonOf(detail: ReportDetail, status: number): string {
  const arrow = [...detail.ladder.arrows].reverse().find((a) => a.status === status);
  return arrow === undefined ? '' : arrow.label.slice(String(status).length + 1);
}
