/**
 * `sipv probe alg` as a library: send REGISTER, INVITE with SDP and OPTIONS
 * (requests.ts) to a mirror, and from its echoes build the two "captures" the
 * compare engine reads — this host's view (what it sent, what came back) as
 * BEFORE, the mirror's view (what it saw, what it sent) as AFTER — so the
 * probe reports rewrites, drops and NAT in the words and JSON of `compare`.
 *
 * The mirror's reply is a pure function of what it saw (echo.ts), so the
 * client rebuilds it exactly: a diff between that and what arrived is the ALG
 * rewriting responses on the way back. A response without a valid echo body
 * was not the mirror's: something on the path answered for the server.
 *
 * UDP requests are retransmitted (RFC 3261 §17.1.2.1: T1 = 500 ms, doubling)
 * until the echo or `timeoutMs`; TCP sends once.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { compareCaptures, compareToJson } from '../compare/compare.js';
import type { CompareResult } from '../compare/model.js';
import { messageLabel } from '../compare/words.js';
import type { Finding } from '../diagnose/finding.js';
import { codeInfo } from '../diagnose/registry.js';
import { parseCSeq } from '../sip/cseq.js';
import { getHeader } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import { parseSipMessage } from '../sip/parse.js';
import { openTcp, openUdp, type Channel, type Received } from './channel.js';
import { echoResponse, readEcho } from './echo.js';
import { PROBE_METHODS, probeRequest, type Identity, type ProbeMethod } from './requests.js';

export type ProbeVerdict = 'alg' | 'nat-only' | 'no-nat' | 'no-answer';

export interface ProbeOptions {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  token: string;
  timeoutMs?: number;
  bind?: { host: string; port: number };
}

export interface Exchange {
  method: ProbeMethod;
  /** Index of the request in BEFORE, and of the mirror's sighting of it in AFTER (null: never seen). */
  sent: number;
  seen: number | null;
  answeredBy: 'mirror' | 'other' | 'mirror+other' | 'none';
  rttMs: number | null;
  /** Responses that were not the mirror's echo: status line and source. */
  otherAnswers: { status: string; from: string }[];
}

export interface ProbeResult {
  verdict: ProbeVerdict;
  transport: 'udp' | 'tcp';
  server: string;
  local: string;
  /** The source address:port the mirror saw (after NAT), null when it never answered. */
  seenAs: string | null;
  compare: CompareResult;
  findings: Finding[];
  exchanges: Exchange[];
}

interface Pending {
  method: ProbeMethod; cseq: number; sentAt: number;
  echo?: Received & { msg: SipMessage };
  others: (Received & { msg: SipMessage })[];
  done?: () => void;
  /** A final response that is not the mirror's: stop retransmitting, wait a little for the mirror. */
  final?: () => void;
}

const CSEQ_BASE = 101;

function captured(seq: number, at: number, src: [string, number], dst: [string, number], transport: 'udp' | 'tcp', msg: SipMessage): CapturedMessage {
  return { seq, source: 0, frame: seq, sec: Math.floor(at / 1000), nsec: (at % 1000) * 1e6, srcIp: src[0], srcPort: src[1], dstIp: dst[0], dstPort: dst[1], transport, msg };
}

function split(ep: string): [string, number] {
  const i = ep.lastIndexOf(':');
  return [ep.slice(0, i).replace(/^\[|\]$/g, ''), Number(ep.slice(i + 1))];
}

export async function probeAlg(o: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = o.timeoutMs ?? 5000;
  const ch: Channel = o.transport === 'udp' ? await openUdp(o) : await openTcp(o, timeoutMs);
  const server = o.port === 5060 ? o.host : `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  const id: Identity = { localIp: ch.localIp, localPort: ch.localPort, server, transport: o.transport, token: o.token };
  const pending: Pending[] = [];
  ch.onMessage((r) => {
    const msg = parseSipMessage(r.raw);
    if (msg === null || msg.kind !== 'response') return;
    const cs = parseCSeq(getHeader(msg, 'cseq') ?? '');
    const p = pending.find((x) => x.cseq === cs.seq && x.method === cs.method);
    if (p === undefined) return;
    if (readEcho(msg) === undefined) {
      p.others.push({ ...r, msg });
      if (msg.status >= 200) p.final?.();
      return;
    }
    if (p.echo === undefined) { p.echo = { ...r, msg }; p.done?.(); }
  });
  const sent: { p: Pending; bytes: Buffer }[] = [];
  try {
    for (const [i, method] of PROBE_METHODS.entries()) {
      const p: Pending = { method, cseq: CSEQ_BASE + i, sentAt: Date.now(), others: [] };
      pending.push(p);
      const bytes = probeRequest(method, id, p.cseq);
      sent.push({ p, bytes });
      await exchange(ch, p, bytes, o.transport, timeoutMs);
    }
    // Stragglers: a device answering for the server may be slower than the mirror.
    await new Promise((r) => setTimeout(r, 150));
  } finally {
    ch.close();
  }
  return analyse(o, id, sent);
}

function exchange(ch: Channel, p: Pending, bytes: Buffer, transport: 'udp' | 'tcp', timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = () => { for (const t of timers) clearTimeout(t); p.done = undefined; p.final = undefined; resolve(); };
    p.done = finish;
    // RFC 3261 §17.1.2.2: a final response ends the transaction, whoever sent it.
    p.final = () => { for (const t of timers.splice(0)) clearTimeout(t); p.final = undefined; timers.push(setTimeout(finish, Math.min(1000, timeoutMs))); };
    ch.send(bytes);
    if (transport === 'udp') for (let t = 500, at = 500; at < timeoutMs; t *= 2, at += t) timers.push(setTimeout(() => ch.send(bytes), at));
    timers.push(setTimeout(finish, timeoutMs));
  });
}

function analyse(o: ProbeOptions, id: Identity, sent: { p: Pending; bytes: Buffer }[]): ProbeResult {
  const local: [string, number] = [id.localIp, id.localPort];
  const firstEcho = sent.find((s) => s.p.echo)?.p.echo;
  const serverEp: [string, number] = firstEcho ? [firstEcho.fromIp, firstEcho.fromPort] : [o.host, o.port];
  const before: CapturedMessage[] = [], after: CapturedMessage[] = [];
  const exchanges: Exchange[] = [];
  let seenAs: string | null = null;
  for (const { p, bytes } of sent) {
    const req = parseSipMessage(bytes)!;
    const ex: Exchange = { method: p.method, sent: before.length, seen: null, answeredBy: 'none', rttMs: null, otherAnswers: p.others.map((x) => ({ status: statusOf(x.msg), from: `${x.fromIp}:${x.fromPort}` })) };
    before.push(captured(before.length, p.sentAt, local, serverEp, o.transport, req));
    const echo = p.echo;
    if (echo) {
      const what = readEcho(echo.msg)!;
      const seenReq = parseSipMessage(what.raw);
      seenAs ??= what.source;
      ex.rttMs = echo.at - p.sentAt;
      if (seenReq !== null && seenReq.kind === 'request') {
        const src = split(what.source);
        ex.seen = after.length;
        after.push(captured(after.length, p.sentAt, src, serverEp, o.transport, seenReq));
        // What the mirror sent, rebuilt; paired with what arrived here.
        const sentBack = parseSipMessage(echoResponse(seenReq, what))!;
        before.push(captured(before.length, echo.at, [echo.fromIp, echo.fromPort], local, o.transport, echo.msg));
        after.push(captured(after.length, echo.at, serverEp, src, o.transport, sentBack));
      }
    }
    ex.answeredBy = echo ? (p.others.length ? 'mirror+other' : 'mirror') : p.others.length ? 'other' : 'none';
    exchanges.push(ex);
  }
  const compare = compareCaptures(before, after);
  const findings = [...compare.findings, ...foreignFindings(sent)];
  const verdict: ProbeVerdict = exchanges.some((e) => e.answeredBy.includes('other')) ? 'alg'
    : exchanges.every((e) => e.answeredBy === 'none') ? 'no-answer'
    : compare.verdict === 'alg' ? 'alg'
    : compare.verdict === 'nat-only' ? 'nat-only' : 'no-nat';
  return { verdict, transport: o.transport, server: `${serverEp[0]}:${serverEp[1]}`, local: `${local[0]}:${local[1]}`, seenAs, compare, findings, exchanges };
}

function statusOf(m: SipMessage): string {
  return m.kind === 'response' ? `${m.status} ${m.reason}` : m.method;
}

/** A response the mirror did not send: the device answered for the server (and maybe also dropped the request). */
function foreignFindings(sent: { p: Pending; bytes: Buffer }[]): Finding[] {
  const out: Finding[] = [];
  for (const { p } of sent) {
    if (p.others.length === 0) continue;
    const info = codeInfo('alg.warning');
    const first = p.others[0]!;
    const label = messageLabel(first.msg);
    out.push({
      code: 'alg.warning', severity: info.severity, callId: getHeader(first.msg, 'call-id') ?? '', messages: [],
      summary: `something on the path answered the ${p.method} itself with ${label} from ${first.fromIp}:${first.fromPort}${p.echo ? ' (the mirror answered too)' : '; the mirror never saw the request'}`,
      evidence: { method: p.method, mirrorSaw: p.echo !== undefined, answers: p.others.map((x) => ({ from: `${x.fromIp}:${x.fromPort}`, status: statusOf(x.msg), raw: x.raw.toString('latin1') })) },
      advice: info.advice,
    });
  }
  return out;
}

/** SPEC.md's `compare --json` shape, grown with what the probe knows. */
export function probeToJson(r: ProbeResult): Record<string, unknown> {
  // The probe's own verdict and findings replace compare's (keeping their place in the object).
  return {
    ...(compareToJson(r.compare) as Record<string, unknown>),
    verdict: r.verdict,
    findings: r.findings,
    transport: r.transport,
    server: r.server,
    local: r.local,
    seenAs: r.seenAs,
    exchanges: r.exchanges,
  };
}
