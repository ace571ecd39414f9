/**
 * alg.callid-rewritten — dialog identifiers (RFC 3261 §12: Call-ID, From/To
 * tags; §17: Via branch) changed on the way. Endpoints match responses and
 * in-dialog requests on exactly these, so a rewrite breaks ACK, BYE,
 * re-INVITE and transfer. Signatures visible in one capture:
 * - a response whose CSeq matches requests of the call but whose top Via
 *   branch or From tag matches none of them;
 * - an in-dialog request of an INVITE dialog whose tags are not among the
 *   tags the INVITE and its responses established (forks included);
 * - another call whose Call-ID equals this one's with the IP address inside
 *   it replaced — the ALG rewrote the "@ip" of the Call-ID in one direction,
 *   splitting one call in two. Reported once, on the earlier call.
 */
import type { CapturedMessage } from '../../calls/captured-message.js';
import { getHeader } from '../../sip/headers.js';
import { parseNameAddr } from '../../sip/name-addr.js';
import { cseqOf, label, topVia } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';
import { indexCalls } from '../call-index.js';

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const HAS_IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/;

export const algCallidRewritten: Rule = {
  code: 'alg.callid-rewritten',
  check({ call, messages, calls }) {
    return [...branchOrTag(messages), ...dialogTags(messages), ...callIdTwin(call.callId, call.index, calls)];
  },
};

function tagOf(m: CapturedMessage, which: 'from' | 'to'): string | undefined {
  const v = getHeader(m.msg, which);
  return v === undefined ? undefined : parseNameAddr(v).params['tag'] ?? undefined;
}

function branchOrTag(messages: readonly CapturedMessage[]): Draft[] {
  const drafts: Draft[] = [];
  messages.forEach((res, j) => {
    if (res.msg.kind !== 'response') return;
    const c = cseqOf(res);
    const reqs = messages.filter((q) => q.msg.kind === 'request' && q.msg.method.toUpperCase() === c.method && cseqOf(q).seq === c.seq);
    if (reqs.length === 0) return;
    const branch = topVia(res)?.branch;
    const sameBranch = reqs.filter((q) => topVia(q)?.branch === branch);
    if (sameBranch.length === 0) {
      drafts.push({
        messages: [messages.indexOf(reqs[0]!), j],
        summary: `${label(res)} to ${c.method} has Via branch ${branch ?? '(none)'}, which no ${c.method} with CSeq ${c.seq} carried`,
        evidence: { responseBranch: branch ?? null, requestBranches: [...new Set(reqs.map((q) => topVia(q)?.branch ?? null))] },
      });
      return;
    }
    const fromTag = tagOf(res, 'from');
    if (!sameBranch.some((q) => tagOf(q, 'from') === fromTag)) {
      drafts.push({
        messages: [messages.indexOf(sameBranch[0]!), j],
        summary: `${label(res)} to ${c.method} has From tag ${fromTag ?? '(none)'} but the request had ${tagOf(sameBranch[0]!, 'from') ?? '(none)'}`,
        evidence: { responseFromTag: fromTag ?? null, requestFromTag: tagOf(sameBranch[0]!, 'from') ?? null },
      });
    }
  });
  return drafts;
}

function dialogTags(messages: readonly CapturedMessage[]): Draft[] {
  const invites = messages.filter((m) => m.msg.kind === 'request' && m.msg.method === 'INVITE' && tagOf(m, 'to') === undefined);
  if (invites.length === 0) return [];
  const tags = new Set<string>();
  for (const m of invites) { const t = tagOf(m, 'from'); if (t) tags.add(t); }
  let confirmed = false;
  for (const m of messages) {
    if (m.msg.kind !== 'response' || cseqOf(m).method !== 'INVITE') continue;
    const t = tagOf(m, 'to');
    if (t) tags.add(t);
    if (m.msg.status >= 200 && m.msg.status < 300) confirmed = true;
  }
  // Without the 2xx in the capture (capture loss, started late) the dialog's tags are unknown.
  if (!confirmed) return [];
  const drafts: Draft[] = [];
  messages.forEach((m, i) => {
    if (m.msg.kind !== 'request') return;
    const to = tagOf(m, 'to');
    if (to === undefined) return; // not in a dialog
    const from = tagOf(m, 'from');
    const unknown = [to, from].filter((t): t is string => t !== undefined && !tags.has(t));
    if (unknown.length === 0) return;
    drafts.push({
      messages: [i],
      summary: `in-dialog ${m.msg.method} carries tag ${unknown.join(', ')}, which the INVITE dialog never established`,
      evidence: { fromTag: from ?? null, toTag: to, dialogTags: [...tags] },
    });
  });
  return drafts;
}

/** The Call-ID with every IPv4 address replaced by `#`, or undefined when it holds none. */
function shapeOf(callId: string): string | undefined {
  return HAS_IPV4.test(callId) ? callId.replace(IPV4, '#') : undefined;
}

function callIdTwin(callId: string, index: number, calls: readonly { callId: string; index: number }[]): Draft[] {
  const shape = shapeOf(callId);
  if (shape === undefined) return [];
  const sameShape = indexCalls(calls, 'callid-shape', (c) => shapeOf(c.callId)).get(shape) ?? [];
  const twin = sameShape.find((c) => c.index > index && c.callId !== callId);
  if (twin === undefined) return [];
  return [{
    messages: [],
    summary: `Call-ID ${callId} reappears as ${twin.callId}: the IP address inside the Call-ID was rewritten, splitting one call in two`,
    evidence: { callId, rewritten: twin.callId, otherCallIndex: twin.index },
  }];
}
