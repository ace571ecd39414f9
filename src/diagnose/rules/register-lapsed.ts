/**
 * register.lapsed — a binding the registrar accepted (2xx, RFC 3261 §10.3)
 * ran out: no successful REGISTER for the same address of record came before
 * its expiry (the granted expires after the 2xx), while the capture went on
 * past it. From then on the registrar has no Contact for the AOR and calls to
 * it fail (404/480) until the phone registers again.
 *
 * Each accepted binding is followed to the next accepted REGISTER for the AOR
 * (a refresh under another Call-ID counts: RFC 3261 §10.2.4 only says SHOULD
 * keep the Call-ID); a de-registration ends the binding on purpose. Severity
 * follows the evidence: refresh attempts that failed, or a refresh on the same
 * Call-ID that came after the expiry, mean the UA is trying and losing
 * (warning); a UA that simply went quiet may have been switched off or moved
 * out of the capture's view, and a later REGISTER under a new Call-ID is a
 * restarted UA (info, with what was heard from the endpoint after the expiry).
 */
import type { Call } from '../../calls/call.js';
import { toIso } from '../../core/time.js';
import { getHeader } from '../../sip/headers.js';
import { captureEnd, indexCalls } from '../call-index.js';
import { timeOf } from '../message-facts.js';
import { aorOf, grantedExpires, isDeregistration, registerAttempts } from '../registration.js';
import type { Draft, Rule } from '../rule.js';

/** A refresh this late after the expiry still counts as on time (registrars keep a few seconds of slack). */
export const LAPSE_GRACE_S = 5;

interface Elsewhere { at: number; ok: boolean; callId: string }

/**
 * REGISTERs for `aor` under other Call-IDs after `after`, and whether each got a 2xx. A call
 * whose messages are not at hand (a store diagnosing in batches) counts by its summary: a
 * REGISTER call of the same user, accepted, last active after `after`.
 */
function registersElsewhere(calls: readonly Call[], self: Call, aor: string, after: number): Elsewhere[] {
  const byUser = indexCalls(calls, 'register-to', (c) => (c.firstMethod === 'REGISTER' ? c.to : undefined));
  const out: Elsewhere[] = [];
  for (const c of byUser.get(self.to) ?? []) {
    if (c === self) continue;
    const kept = c.kept;
    if (kept === null) {
      const end = c.end.sec + c.end.nsec / 1e9;
      if (end > after) out.push({ at: Math.max(after, c.start.sec + c.start.nsec / 1e9), ok: c.finalStatus !== null && c.finalStatus >= 200 && c.finalStatus < 300, callId: c.callId });
      continue;
    }
    kept.forEach((m, i) => {
      if (m.msg.kind !== 'request' || m.msg.method.toUpperCase() !== 'REGISTER') return;
      const at = timeOf(m);
      if (at <= after || aorOf(getHeader(m.msg, 'to')) !== aor) return;
      // Other calls may hold light copies (store): a 2xx after the request is its acceptance.
      const ok = kept.slice(i + 1).some((r) => r.msg.kind === 'response' && r.msg.status >= 200 && r.msg.status < 300);
      out.push({ at, ok, callId: c.callId });
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}

function iso(at: number): string {
  const sec = Math.floor(at);
  return toIso({ sec, nsec: Math.round((at - sec) * 1e9) });
}

export const registerLapsed: Rule = {
  code: 'register.lapsed',
  check({ call, messages, calls, history }) {
    const attempts = registerAttempts(messages);
    const end = captureEnd(calls);
    const drafts: Draft[] = [];
    const accepted = attempts.filter((a) => a.final !== undefined && a.final.status >= 200 && a.final.status < 300);
    accepted.forEach((a) => {
      const granted = isDeregistration(a) ? 0 : grantedExpires(a, messages[a.final!.index]!);
      if (granted === undefined || granted <= 0) return;
      const okAt = a.final!.at, expiry = okAt + granted, aor = a.aor;
      // The next accepted REGISTER for the AOR, on this Call-ID or another, ends this binding's watch.
      const nextHere = accepted.find((x) => x.aor === aor && x.at > a.at);
      const elsewhere = registersElsewhere(calls, call, aor, okAt);
      const nextThere = elsewhere.find((r) => r.ok);
      const next = [nextHere === undefined ? undefined : { at: nextHere.at, here: true }, nextThere === undefined ? undefined : { at: nextThere.at, here: false }]
        .filter((x): x is { at: number; here: boolean } => x !== undefined).sort((x, y) => x.at - y.at)[0];
      const until = next?.at ?? end;
      if (until <= expiry + LAPSE_GRACE_S) return;
      const failed = [
        ...attempts.filter((x) => x.aor === aor && x.at > a.at && x.at < until && x !== nextHere)
          .map((x) => ({ at: x.at, callId: call.callId, status: x.final?.status ?? null, indexes: [x.request, ...x.responses] })),
        ...elsewhere.filter((r) => !r.ok && r.at < until).map((r) => ({ at: r.at, callId: r.callId, status: null, indexes: [] as number[] })),
      ].sort((x, y) => x.at - y.at);
      const req = messages[a.request]!;
      const heard = history.sentBefore(req.srcIp, req.srcPort, Infinity).at(-1);
      const lateHere = next?.here === true;
      const trying = failed.length > 0 || lateHere;
      const what = failed.length > 0
        ? `${failed.length} REGISTER${failed.length > 1 ? 's' : ''} after it got no 2xx`
        : next !== undefined ? `the next accepted REGISTER came ${round(next.at - expiry)} s after the expiry${next.here ? ' on the same Call-ID: the refresh was late' : ' under a new Call-ID'}`
          : heard !== undefined && heard.at > expiry ? `the endpoint kept sending (last ${heard.what} ${round(heard.at - expiry)} s after the expiry) but never refreshed`
            : 'nothing more was heard from the endpoint';
      drafts.push({
        messages: [a.request, a.final!.index, ...failed.flatMap((x) => x.indexes), ...(lateHere ? [nextHere!.request] : [])],
        ...(trying ? {} : { severity: 'info' as const }),
        summary: `binding of ${aor} (${a.contacts.join(', ') || 'no Contact'}) accepted for ${granted} s expired ${next === undefined ? `and the capture went on ${round(end - expiry)} s` : `${round(next.at - expiry)} s before the next registration`} without a successful refresh; ${what}`,
        evidence: {
          aor, contacts: a.contacts, grantedSeconds: granted, acceptedAt: iso(okAt), expiredAt: iso(expiry),
          nextRegistration: next === undefined ? null : { at: iso(next.at), sameCallId: next.here, secondsAfterExpiry: round(next.at - expiry) },
          captureEndsAt: iso(end),
          failedRefreshes: failed.map(({ at, callId, status }) => ({ at: iso(at), callId, status, afterExpiry: at > expiry })),
          endpoint: `${req.srcIp}:${req.srcPort}`,
          endpointLastHeard: heard === undefined ? null : { what: heard.what, at: iso(heard.at), afterExpiry: heard.at > expiry },
        },
      });
    });
    return drafts;
  },
};
