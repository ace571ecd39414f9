/**
 * Everything that differs between one SIP message seen before a device and
 * the same message seen after it: packet addresses (`nat`), and inside SIP
 * (`alg`) the request line or status, each header by name and position,
 * headers added or removed, header order, and each SDP line by type and
 * position (or the whole body when it is not SDP).
 *
 * List headers are compared element by element (RFC 3261 §7.3.1: `Contact: a, b`
 * and two Contact lines mean the same), so a rewrite of the second Contact is
 * reported as `Contact[2]`, not as the whole header.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeaders } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import type { Change } from './model.js';

export function diffMessages(b: CapturedMessage, a: CapturedMessage): Change[] {
  const out: Change[] = [];
  const bs = `${b.srcIp}:${b.srcPort}`, as = `${a.srcIp}:${a.srcPort}`;
  const bd = `${b.dstIp}:${b.dstPort}`, ad = `${a.dstIp}:${a.dstPort}`;
  if (bs !== as) out.push({ where: 'packet.src', before: bs, after: as, kind: 'nat' });
  if (bd !== ad) out.push({ where: 'packet.dst', before: bd, after: ad, kind: 'nat' });
  const headers = diffHeaders(b.msg, a.msg);
  out.push(...diffStartLine(b.msg, a.msg), ...headers, ...diffSpelling(b.msg, a.msg, headers), ...diffOrder(b.msg, a.msg), ...diffBody(b.msg, a.msg));
  return out;
}

function diffStartLine(b: SipMessage, a: SipMessage): Change[] {
  if (b.kind === 'request' && a.kind === 'request') {
    const out: Change[] = [];
    if (b.method !== a.method) out.push({ where: 'method', before: b.method, after: a.method, kind: 'alg' });
    if (b.uri !== a.uri) out.push({ where: 'request-uri', before: b.uri, after: a.uri, kind: 'alg' });
    return out;
  }
  if (b.kind === 'response' && a.kind === 'response') {
    const before = `${b.status} ${b.reason}`, after = `${a.status} ${a.reason}`;
    return before === after ? [] : [{ where: 'status', before, after, kind: 'alg' }];
  }
  return [{ where: 'start-line', before: startLine(b), after: startLine(a), kind: 'alg' }];
}

export function startLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.uri} ${m.version}` : `${m.version} ${m.status} ${m.reason}`;
}

/** `via` → `Via`, `call-id` → `Call-ID`, `cseq` → `CSeq`: the way engineers write them. */
export function displayName(name: string): string {
  const special: Record<string, string> = { 'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'p-asserted-identity': 'P-Asserted-Identity' };
  // Own keys only: a header named `constructor` or `__proto__` is text, not Object.prototype.
  return (Object.hasOwn(special, name) ? special[name] : undefined) ?? name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
}

function names(m: SipMessage): string[] {
  const seen: string[] = [];
  for (const h of m.headers) if (!seen.includes(h.name)) seen.push(h.name);
  return seen;
}

function diffHeaders(b: SipMessage, a: SipMessage): Change[] {
  const out: Change[] = [];
  const all = names(b);
  for (const n of names(a)) if (!all.includes(n)) all.push(n);
  for (const name of all) {
    const bv = getHeaders(b, name), av = getHeaders(a, name);
    const label = displayName(name);
    for (let i = 0; i < Math.max(bv.length, av.length); i++) {
      const where = i === 0 ? label : `${label}[${i + 1}]`;
      const x = bv[i], y = av[i];
      if (x === y) continue;
      if (x === undefined) out.push({ where, before: '', after: y!, kind: 'alg', what: 'added' });
      else if (y === undefined) out.push({ where, before: x, after: '', kind: 'alg', what: 'removed' });
      else if (squeeze(x) === squeeze(y)) out.push({ where, before: x, after: y, kind: 'alg', what: 'cosmetic', note: 'whitespace' });
      else out.push({ where, before: x, after: y, kind: 'alg' });
    }
  }
  return out;
}

/**
 * RFC 3261 §7.3.1/§25.1: linear whitespace around `;` `,` `=` `:` `/` and runs of it mean
 * nothing, so two values equal after removing it are the same value (case is kept: URIs,
 * tags and Call-IDs are case-sensitive).
 */
function squeeze(v: string): string {
  return v.replace(/\s*([;,=:/<>])\s*/g, '$1').replace(/\s+/g, ' ').trim();
}

/** The header lines of one canonical name, exactly as written. */
function rawLines(m: SipMessage, name: string): { text: string; rawName: string }[] {
  return m.headers.filter((h) => h.name === name).map((h) => ({ text: m.raw.toString('latin1', h.start, h.end), rawName: h.rawName }));
}

/**
 * Headers whose values are all the same but whose lines are written differently: an ALG
 * re-wrote the line (name case, compact form, whitespace after the colon, folding, a list
 * split into lines or joined). Reported once per line as `cosmetic`, so it is neither lost
 * nor mistaken for a rewrite that changes what SIP means.
 */
function diffSpelling(b: SipMessage, a: SipMessage, valueChanges: Change[]): Change[] {
  const out: Change[] = [];
  const changed = new Set(valueChanges.map((c) => c.where.replace(/\[\d+\]$/, '')));
  for (const name of names(b).filter((n) => names(a).includes(n))) {
    const label = displayName(name);
    if (changed.has(label)) continue;
    const bl = rawLines(b, name), al = rawLines(a, name);
    if (bl.length !== al.length) {
      const x = bl.map((l) => l.text).join('\n'), y = al.map((l) => l.text).join('\n');
      out.push({ where: label, before: x, after: y, kind: 'alg', what: 'cosmetic', note: `${bl.length} line${bl.length === 1 ? '' : 's'} → ${al.length}` });
      continue;
    }
    bl.forEach((x, i) => {
      const y = al[i]!;
      if (x.text === y.text) return;
      const note = x.rawName !== y.rawName ? `header name ${x.rawName} → ${y.rawName}` : 'whitespace';
      out.push({ where: i === 0 ? label : `${label}[${i + 1}]`, before: x.text, after: y.text, kind: 'alg', what: 'cosmetic', note });
    });
  }
  return out;
}

/** Header order by first appearance of each name; a reorder is reported once, with both orders. */
function diffOrder(b: SipMessage, a: SipMessage): Change[] {
  const bn = names(b), an = names(a);
  const common = bn.filter((n) => an.includes(n));
  const bo = common.join(','), ao = an.filter((n) => bn.includes(n)).join(',');
  if (bo === ao) return [];
  const show = (l: string[]) => l.map(displayName).join(', ');
  return [{ where: 'header-order', before: show(bn), after: show(an), kind: 'alg', what: 'reordered' }];
}

function isSdp(m: SipMessage): boolean {
  const ct = getHeaders(m, 'content-type')[0] ?? '';
  return /^application\/sdp\b/i.test(ct) || /^v=0\r?\n/.test(m.body.toString('latin1', 0, 8));
}

function diffBody(b: SipMessage, a: SipMessage): Change[] {
  const bt = b.body.toString('latin1'), at = a.body.toString('latin1');
  if (bt === at) return [];
  if (!isSdp(b) || !isSdp(a)) return [{ where: 'body', before: bt, after: at, kind: 'alg' }];
  const out: Change[] = [];
  const bl = sdpLines(bt), al = sdpLines(at);
  const keys = [...bl.keys()];
  for (const k of al.keys()) if (!bl.has(k)) keys.push(k);
  for (const k of keys) {
    const x = bl.get(k) ?? [], y = al.get(k) ?? [];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const where = i === 0 ? `sdp.${k}` : `sdp.${k}[${i + 1}]`;
      if (x[i] === y[i]) continue;
      out.push({ where, before: x[i] ?? '', after: y[i] ?? '', kind: 'alg', ...(x[i] === undefined ? { what: 'added' as const } : y[i] === undefined ? { what: 'removed' as const } : {}) });
    }
  }
  return out;
}

/** SDP lines grouped by type letter, in order (RFC 8866 §5: `<type>=<value>`). */
function sdpLines(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const k = /^([a-z])=/.exec(line)?.[1] ?? '?';
    const list = m.get(k) ?? [];
    list.push(line.slice(k === '?' ? 0 : 2));
    m.set(k, list);
  }
  return m;
}
