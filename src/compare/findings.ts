/**
 * Findings of a comparison, in diagnose's shape and codes (one registry):
 * `alg.rewrite` per call whose SIP or SDP changed, `alg.callid-rewritten` when
 * dialog identifiers changed, `alg.malformed` when one side carries the damage
 * faulty ALGs do, `alg.dropped` for messages that went into the device and
 * never came out, `nat.binding-timeout` for requests from outside to the NAT's
 * public address that nothing on the inside ever saw.
 *
 * `messages` holds indexes into the capture named by `evidence.side`
 * (`before` unless said otherwise), not into a call as in diagnose.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import type { Finding } from '../diagnose/finding.js';
import { codeInfo, type FindingCode } from '../diagnose/registry.js';
import { getHeader, getHeaders } from '../sip/headers.js';
import { parseVia } from '../sip/via.js';
import type { MessagePair, Side } from './model.js';
import { changedPart, joinWords, messageLabel } from './words.js';

function finding(code: FindingCode, callId: string, messages: number[], summary: string, evidence: Record<string, unknown>): Finding {
  const info = codeInfo(code);
  return { code, severity: info.severity, callId, messages, summary, evidence, advice: info.advice };
}

function byCall<T extends { callId: string }>(items: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) m.set(x.callId, [...(m.get(x.callId) ?? []), x]);
  return m;
}

const ALG_ADVICE_MORE = ' On common routers the switch is called "SIP ALG", "SIP helper", "SIP transformations" or "SIP passthrough" (Linux: remove the nf_conntrack_sip ct helper); if it must stay on, stop using STUN/rport workarounds on the phone, which fight it.';

export function rewriteFindings(pairs: MessagePair[]): Finding[] {
  const out: Finding[] = [];
  for (const [callId, list] of byCall(pairs.filter((p) => p.changes.some((c) => c.kind === 'alg')))) {
    const rewrites: { where: string; before: string; after: string; messages: string[] }[] = [];
    for (const p of list) {
      for (const c of p.changes) {
        if (c.kind !== 'alg') continue;
        const base = c.where.replace(/\[\d+\]$/, '');
        const part = c.what === 'reordered' ? { before: c.before, after: c.after }
          : c.what === 'cosmetic' ? { before: `${c.note ?? 'spelling'} (cosmetic)`, after: '' }
          : changedPart(c.before, c.after);
        const same = rewrites.find((r) => r.where.replace(/\[\d+\]$/, '') === base && r.before === part.before && r.after === part.after);
        if (same) { if (!same.messages.includes(p.label)) same.messages.push(p.label); }
        else rewrites.push({ where: c.where, ...part, messages: [p.label] });
      }
    }
    const words = rewrites.slice(0, 5).map((r) => r.before.endsWith('(cosmetic)') && r.after === '' ? `${r.where}: ${r.before} in ${joinWords(r.messages)}`
      : r.before === '' ? `added ${r.where} ${r.after}` : r.after === '' ? `removed ${r.where} ${r.before}` : `${r.where} ${r.before} → ${r.after} in ${joinWords(r.messages)}`);
    const more = rewrites.length > 5 ? `, and ${rewrites.length - 5} more` : '';
    // Only the spelling changed: SIP means the same, but the lines were re-written, which
    // only an ALG does — worth knowing, not worth failing a call over.
    const cosmetic = list.every((p) => p.changes.every((c) => c.kind !== 'alg' || c.what === 'cosmetic'));
    const f = finding('alg.rewrite', callId, list.map((p) => p.before),
      `the device between the captures rewrote ${cosmetic ? 'only the spelling of SIP headers (cosmetic, same meaning): ' : ''}${words.join('; ')}${more}`,
      { rewrites, pairs: list.map((p) => [p.before, p.after]), cosmetic });
    if (cosmetic) f.severity = 'info';
    f.advice += ALG_ADVICE_MORE;
    out.push(f);
  }
  return out;
}

const IDENTIFIERS: { name: string; read: (m: CapturedMessage) => string | undefined }[] = [
  { name: 'Call-ID', read: (m) => getHeader(m.msg, 'call-id') },
  { name: 'From tag', read: (m) => tagOf(getHeader(m.msg, 'from')) },
  { name: 'To tag', read: (m) => tagOf(getHeader(m.msg, 'to')) },
  { name: 'Via branch', read: (m) => parseVia(getHeader(m.msg, 'via') ?? '')[0]?.branch },
];

function tagOf(v: string | undefined): string | undefined {
  return v === undefined ? undefined : /;\s*tag\s*=\s*([^;,\s>]+)/i.exec(v)?.[1];
}

export function identifierFindings(pairs: MessagePair[], before: Side, after: Side): Finding[] {
  const out: Finding[] = [];
  const hits = pairs.flatMap((p) => {
    const b = before[p.before]!, a = after[p.after]!;
    return IDENTIFIERS.filter((id) => id.read(b) !== id.read(a))
      .map((id) => ({ callId: p.callId, pair: p, what: id.name, before: id.read(b) ?? '', after: id.read(a) ?? '' }));
  });
  for (const [callId, list] of byCall(hits)) {
    const what = [...new Set(list.map((h) => h.what))];
    out.push(finding('alg.callid-rewritten', callId, [...new Set(list.map((h) => h.pair.before))],
      `the device rewrote ${joinWords(what)} (${list[0]!.before} → ${list[0]!.after} in ${list[0]!.pair.label})`,
      { rewritten: list.map((h) => ({ what: h.what, before: h.before, after: h.after, message: h.pair.label, pair: [h.pair.before, h.pair.after] })) }));
  }
  return out;
}

/** What faulty ALGs break, found on one side of a pair and not on the other. */
function damage(m: CapturedMessage): string[] {
  const out: string[] = [];
  const cl = getHeader(m.msg, 'content-length');
  if (cl !== undefined && /^\d+$/.test(cl.trim()) && Number(cl) !== m.msg.body.length && m.transport === 'udp') {
    out.push(`Content-Length ${cl.trim()} but the body has ${m.msg.body.length} bytes`);
  }
  for (const name of ['via', 'contact', 'record-route', 'route', 'from', 'to']) {
    for (const v of getHeaders(m.msg, name)) {
      for (const port of v.matchAll(/:(\d{5,})(?=[;>\s,]|$)/g)) {
        if (Number(port[1]) > 65535) out.push(`port ${port[1]} > 65535 in ${name}: ${v}`);
      }
    }
  }
  for (const v of getHeaders(m.msg, 'via')) {
    // RFC 3261 §20.42: parameters are ";name=value"; a lost ";" glues two together.
    if (/(branch|rport|received)=[^;,]*?(branch|rport|received)\b/i.test(v)) out.push(`Via parameters run together (lost ";"): ${v}`);
  }
  for (const v of getHeaders(m.msg, 'contact')) {
    if (/>[^;,\s]/.test(v)) out.push(`Contact parameter without ";": ${v}`);
  }
  return out;
}

export function malformedFindings(pairs: MessagePair[], before: Side, after: Side): Finding[] {
  const out: Finding[] = [];
  for (const p of pairs) {
    const db = damage(before[p.before]!), da = damage(after[p.after]!);
    const newAfter = da.filter((d) => !db.includes(d)), newBefore = db.filter((d) => !da.includes(d));
    const side = newAfter.length ? 'after' : newBefore.length ? 'before' : undefined;
    if (side === undefined) continue;
    const what = side === 'after' ? newAfter : newBefore;
    out.push(finding('alg.malformed', p.callId, [p.before], `${p.label} is broken on the ${side.toUpperCase()} side only: ${what[0]}`,
      { side, problems: what, pair: [p.before, p.after] }));
  }
  return out;
}

export interface OneSided { side: 'before' | 'after'; index: number; m: CapturedMessage }

export function droppedFindings(list: OneSided[]): Finding[] {
  const out: Finding[] = [];
  const keyed = list.map((x) => ({ ...x, callId: getHeader(x.m.msg, 'call-id') ?? '' }));
  for (const [callId, items] of byCall(keyed)) {
    const labels = [...new Set(items.map((x) => messageLabel(x.m.msg)))];
    const first = items[0]!;
    const to = first.side === 'before' ? 'AFTER' : 'BEFORE';
    out.push(finding('alg.dropped', callId, items.map((x) => x.index),
      `${joinWords(labels)} from ${first.m.srcIp}:${first.m.srcPort} to ${first.m.dstIp}:${first.m.dstPort} went into the device and never came out on the ${to} side (${items.length} sighting${items.length > 1 ? 's' : ''})`,
      { side: first.side, messages: items.map((x) => ({ index: x.index, message: messageLabel(x.m.msg), src: `${x.m.srcIp}:${x.m.srcPort}`, dst: `${x.m.dstIp}:${x.m.dstPort}` })) }));
  }
  return out;
}

export function bindingFindings(list: OneSided[]): Finding[] {
  const out: Finding[] = [];
  const keyed = list.map((x) => ({ ...x, callId: getHeader(x.m.msg, 'call-id') ?? '' }));
  for (const [callId, items] of byCall(keyed)) {
    const first = items[0]!;
    out.push(finding('nat.binding-timeout', callId, items.map((x) => x.index),
      `${items.length} × ${messageLabel(first.m.msg)} from ${first.m.srcIp}:${first.m.srcPort} to the NAT's public address ${first.m.dstIp}:${first.m.dstPort} never reached the inside: no NAT binding for it any more`,
      { side: first.side, publicAddress: `${first.m.dstIp}:${first.m.dstPort}`, messages: items.map((x) => x.index) }));
  }
  return out;
}
