/**
 * Runs every rule over every call and turns drafts into findings with the
 * registry's severity and advice. Rules are independent: a failing rule is a
 * bug and surfaces as an exception rather than as a silently missing finding.
 */
import type { Call } from '../calls/call.js';
import { EndpointHistory } from './context.js';
import { severityRank, type Finding } from './finding.js';
import { REGISTRY } from './registry.js';
import type { DiagnoseOptions, Rule, RuleInput } from './rule.js';
import { RULES } from './rules/index.js';
import type { MediaIndex } from '../media/index.js';

export interface DiagnoseInput {
  /** The calls to diagnose (after the user's filter); their messages must be kept. */
  calls: readonly Call[];
  /** Every call of the inputs, for context such as earlier REGISTERs; default `calls`. */
  allCalls?: readonly Call[];
  options?: DiagnoseOptions;
  rules?: readonly Rule[];
  /** RTP streams of the same inputs (media/collect.ts); rules judge media from SDP alone without it. */
  media?: MediaIndex;
  /** The history of every message of `allCalls`, when built by a caller that diagnoses in batches (a store). */
  history?: EndpointHistory;
}

export function diagnose(input: DiagnoseInput): Finding[] {
  const all = input.allCalls ?? input.calls;
  const history = input.history ?? new EndpointHistory(all);
  const options = input.options ?? {};
  const findings: Finding[] = [];
  for (const call of input.calls) {
    const messages = call.kept ?? [];
    for (const rule of input.rules ?? RULES) {
      const info = REGISTRY[rule.code];
      const ruleInput: RuleInput = { call, messages, calls: all, history, options };
      if (input.media !== undefined) ruleInput.media = input.media;
      for (const d of rule.check(ruleInput)) {
        findings.push({
          code: rule.code,
          severity: d.severity ?? info.severity,
          callId: call.callId,
          messages: [...new Set(d.messages)].sort((a, b) => a - b),
          summary: d.summary,
          evidence: d.evidence,
          advice: d.advice ?? info.advice,
        });
      }
    }
  }
  return findings;
}

/** True when a finding at or above `level` exists (`--fail-on`). */
export function reaches(findings: readonly Finding[], level: Finding['severity']): boolean {
  return findings.some((f) => severityRank(f.severity) >= severityRank(level));
}
