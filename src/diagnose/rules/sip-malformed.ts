/**
 * sip.malformed — what the parser could not read cleanly in a message or its
 * SDP, with the issue code, detail and offset as evidence. Defects with an ALG
 * signature are left to alg.malformed so one defect gives one finding, and
 * CR/LF padding after a datagram's body (RFC 3261 §18.3: discarded) is not one.
 */
import { isAlgLengthIssue, isPadding } from '../alg-damage.js';
import { label, sdpOf } from '../message-facts.js';
import type { Rule } from '../rule.js';

export const sipMalformed: Rule = {
  code: 'sip.malformed',
  check({ messages }) {
    const found: Array<{ message: number; in: string; code: string; detail: string; offset?: number }> = [];
    messages.forEach((m, i) => {
      for (const issue of m.msg.issues) {
        if (isAlgLengthIssue(m, issue) || isPadding(m, issue)) continue;
        found.push({ message: i, in: label(m), ...issue });
      }
      for (const issue of sdpOf(m.msg)?.issues ?? []) found.push({ message: i, in: `${label(m)} SDP`, ...issue });
    });
    if (found.length === 0) return [];
    const first = found[0]!;
    return [{
      messages: found.map((f) => f.message),
      summary: `${found.length} parse problem${found.length > 1 ? 's' : ''}, first in ${first.in} (message ${first.message}): ${first.detail}`,
      evidence: { issues: found },
    }];
  },
};
