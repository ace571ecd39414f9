/**
 * alg.warning — a SIP ALG that says so. Two signatures from the field:
 * - a Warning header (RFC 3261 §20.43, `warn-code warn-agent "text"`) whose
 *   text names an ALG / SIP helper / fixup — routers and firewalls add
 *   `399 <agent> "SIP ALG …"`-style warnings when they touch a message;
 * - an error response to a request sent to a public server that comes back
 *   from an internal address instead (same transaction): the router on the
 *   path answered itself (e.g. a 500 from the gateway's ALG).
 */
import { getHeaders } from '../../sip/headers.js';
import { isBehindNat, isPublicLike, sameIp } from '../addresses.js';
import { label, source, transactionKey } from '../message-facts.js';
import type { Draft, Rule } from '../rule.js';

const WARNING = /(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"/g;
const ALG_TEXT = /\bALG\b|SIP[ -]?ALG|application[ -]l(?:evel|ayer)[ -]gateway|SIP[ -]helper|SIP[ -]transformations?|\bfixup\b/i;

export const algWarning: Rule = {
  code: 'alg.warning',
  check({ messages }) {
    const drafts: Draft[] = [];
    messages.forEach((m, i) => {
      for (const value of getHeaders(m.msg, 'warning')) {
        for (const [, code, agent, text] of value.matchAll(WARNING)) {
          if (!ALG_TEXT.test(text!)) continue;
          drafts.push({
            messages: [i],
            summary: `${label(m)} carries "Warning: ${code} ${agent} \\"${text}\\"" — a SIP ALG on the path touched this message`,
            evidence: { warning: value, warnCode: Number(code), agent, text, packetSource: source(m) },
          });
        }
      }
    });
    messages.forEach((res, j) => {
      if (res.msg.kind !== 'response' || res.msg.status < 400) return;
      const req = messages.find((q) => q.msg.kind === 'request' && transactionKey(q) === transactionKey(res));
      if (req === undefined || !isPublicLike(req.dstIp) || !isBehindNat(res.srcIp) || sameIp(res.srcIp, req.dstIp)) return;
      drafts.push({
        messages: [messages.indexOf(req), j],
        summary: `${res.msg.status} ${res.msg.reason} to ${label(req)} came from ${res.srcIp}, not from the server ${req.dstIp} the request was sent to: the router answered itself`,
        evidence: { requestDestination: req.dstIp, responseSource: source(res), status: res.msg.status, reason: res.msg.reason },
      });
    });
    return drafts;
  },
};
