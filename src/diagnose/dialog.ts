/**
 * The initial INVITE transaction of a call and how it ended, plus the SDP
 * offer/answer pairs of its INVITE transactions (RFC 3264 §2, RFC 3261
 * §13.2.1: the offer is in the INVITE, or — "late offer" — in the 2xx with the
 * answer in the ACK). Shared by the Caller-ID, Diversion and codec rules.
 */
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeader } from '../sip/headers.js';
import { parseNameAddr } from '../sip/name-addr.js';
import type { SdpSession } from '../sip/sdp.js';
import { cseqOf, sdpOf } from './message-facts.js';

export interface Rejection {
  invite: number;
  response: number;
  status: number;
  reason: string;
}

/** Statuses with which trunks refuse a caller (RFC 3261 §21.4.4, .5, .21; §21.6.2). */
const REFUSALS = new Set([403, 404, 484, 603]);
const AUTH_REASON = /password|credential|authenti|nonce|realm/i;
const CALLER_REASON = /caller|calling|\bcli\b|\bani\b|identity|presentation|screening|not allowed|unauthori[sz]ed number/i;

function hasToTag(m: CapturedMessage): boolean {
  const to = getHeader(m.msg, 'to');
  return to !== undefined && parseNameAddr(to).params['tag'] != null;
}

export function isInitialInvite(m: CapturedMessage): boolean {
  return m.msg.kind === 'request' && m.msg.method === 'INVITE' && !hasToTag(m);
}

/**
 * The final refusal of the call's initial INVITE, when the call ended in one:
 * a 403/404/484/603, or any 4xx–6xx whose reason phrase talks about the caller.
 */
export function initialRefusal(messages: readonly CapturedMessage[]): Rejection | undefined {
  for (let j = messages.length - 1; j >= 0; j--) {
    const m = messages[j]!;
    if (m.msg.kind !== 'response' || m.msg.status < 200) continue;
    const c = cseqOf(m);
    if (c.method !== 'INVITE') continue;
    const invite = messages.findIndex((q) => isInitialInvite(q) && cseqOf(q).seq === c.seq);
    if (invite < 0) return undefined;
    const { status, reason } = m.msg;
    if (status >= 200 && status < 300) return undefined;
    // "403 Wrong password" is an authentication failure, not a caller screening.
    if (AUTH_REASON.test(reason)) return undefined;
    if (REFUSALS.has(status) || (status >= 400 && CALLER_REASON.test(reason))) return { invite, response: j, status, reason };
    return undefined;
  }
  return undefined;
}

export interface OfferAnswer {
  cseq: number;
  initial: boolean;
  offer: { index: number; sdp: SdpSession };
  answer?: { index: number; sdp: SdpSession };
  /** Final status of the INVITE transaction, when seen. */
  final?: { index: number; status: number };
}

export function offerAnswers(messages: readonly CapturedMessage[]): OfferAnswer[] {
  const seqs: number[] = [];
  for (const m of messages) {
    const c = cseqOf(m);
    if (m.msg.kind === 'request' && m.msg.method === 'INVITE' && !seqs.includes(c.seq)) seqs.push(c.seq);
  }
  const out: OfferAnswer[] = [];
  for (const seq of seqs) {
    const of = (pred: (m: CapturedMessage) => boolean): { index: number; sdp: SdpSession } | undefined => {
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        const c = cseqOf(m);
        if (c.seq !== seq || !pred(m)) continue;
        const sdp = sdpOf(m.msg);
        if (sdp !== undefined) return { index: i, sdp };
      }
      return undefined;
    };
    const isInvite = (m: CapturedMessage): boolean => m.msg.kind === 'request' && m.msg.method === 'INVITE';
    const isReply = (m: CapturedMessage): boolean => m.msg.kind === 'response' && m.msg.status > 100 && m.msg.status < 300 && cseqOf(m).method === 'INVITE';
    const finalIdx = messages.findIndex((m) => m.msg.kind === 'response' && m.msg.status >= 200 && cseqOf(m).seq === seq && cseqOf(m).method === 'INVITE');
    const first = messages.find((m) => isInvite(m) && cseqOf(m).seq === seq)!;
    const entry = (offer: { index: number; sdp: SdpSession }, answer?: { index: number; sdp: SdpSession }): OfferAnswer => {
      const oa: OfferAnswer = { cseq: seq, initial: !hasToTag(first), offer };
      if (answer) oa.answer = answer;
      if (finalIdx >= 0) { const f = messages[finalIdx]!; if (f.msg.kind === 'response') oa.final = { index: finalIdx, status: f.msg.status }; }
      return oa;
    };
    const offer = of(isInvite);
    if (offer !== undefined) { out.push(entry(offer, of(isReply))); continue; }
    const late = of((m) => isReply(m) && m.msg.kind === 'response' && m.msg.status >= 200);
    if (late !== undefined) out.push(entry(late, of((m) => m.msg.kind === 'request' && m.msg.method === 'ACK')));
  }
  return out;
}
