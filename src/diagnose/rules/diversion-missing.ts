/**
 * diversion.missing — a forwarded call refused with no Diversion (RFC 5806)
 * or History-Info (RFC 7044) header. A PBX forwarding an incoming call keeps
 * the original caller in From; the trunk sees a number it does not own and
 * refuses (403) unless Diversion names the forwarding number, which is the
 * trunk's. "Forwarded" is judged from the capture: another call from the
 * same caller to a different number was in progress when this one started —
 * the incoming leg the PBX forwarded, and it arrived at the very host that
 * now sends this call (a PBX or B2BUA takes a call in and places one out).
 * Two phones that happen to share an extension number on different PBXs, or
 * one phone with two calls of its own, are no forward. Without such a leg we
 * cannot tell a forwarded call from a spoofed one, so nothing is reported.
 */
import { hasHeader } from '../../sip/headers.js';
import { initialRefusal } from '../dialog.js';
import type { Rule } from '../rule.js';
import { indexCalls } from '../call-index.js';
import { sameIp } from '../addresses.js';

/** The incoming leg must have started at most this long before the forwarded one (ring timeout + slack). */
const LEG_WINDOW_S = 120;

export const diversionMissing: Rule = {
  code: 'diversion.missing',
  check({ call, messages, calls }) {
    const refusal = initialRefusal(messages);
    if (refusal === undefined) return [];
    const invite = messages[refusal.invite]!;
    if (hasHeader(invite.msg, 'diversion') || hasHeader(invite.msg, 'history-info')) return [];
    if (call.from === '' || !/^\d+$/.test(call.from)) return [];
    const start = call.start.sec + call.start.nsec / 1e9;
    const sameCaller = indexCalls(calls, 'from', (c) => c.from);
    const leg = (sameCaller.get(call.from) ?? []).find((c) => {
      if (c === call || c.firstMethod !== 'INVITE' || c.from !== call.from || c.to === call.to) return false;
      if (!sameIp(c.dstIp, invite.srcIp)) return false;
      const s = c.start.sec + c.start.nsec / 1e9, e = c.end.sec + c.end.nsec / 1e9;
      return s <= start && start - s <= LEG_WINDOW_S && e >= start;
    });
    if (leg === undefined) return [];
    return [{
      messages: [refusal.invite, refusal.response],
      summary: `${refusal.status} ${refusal.reason} to a call forwarded from ${leg.to} (caller ${call.from}) that carries no Diversion or History-Info`,
      evidence: {
        status: refusal.status, reason: refusal.reason, caller: call.from, callee: call.to,
        incomingLeg: { callId: leg.callId, index: leg.index, from: leg.from, to: leg.to },
        forwardingNumber: leg.to,
        expectedHeader: `Diversion: <sip:${leg.to}@…>;reason=unconditional;counter=1`,
      },
    }];
  },
};
