/**
 * Runs every rule over every call and turns drafts into findings with the
 * registry's severity and advice. Rules are independent: a failing rule is a
 * bug and surfaces as an exception rather than as a silently missing finding.
 */
import type { Call } from '../calls/call.js';
import { EndpointHistory } from './context.js';
import { severityRank, type Finding } from './finding.js';
import { REGISTRY } from './registry.js';
import type { DiagnoseOptions, Rule } from './rule.js';
import { RULES } from './rules/index.js';

export interface DiagnoseInput {
  /** The calls to diagnose (after the user's filter); their messages must be kept. */
  calls: readonly Call[];
  /** Every call of the inputs, for context such as earlier REGISTERs; default `calls`. */
  allCalls?: readonly Call[];
  options?: DiagnoseOptions;
  rules?: readonly Rule[];
}

export function diagnose(input: DiagnoseInput): Finding[] {
  const all = input.allCalls ?? input.calls;
  const history = new EndpointHistory(all);
  const options = input.options ?? {};
  const findings: Finding[] = [];
  for (const call of input.calls) {
    const messages = call.kept ?? [];
    for (const rule of input.rules ?? RULES) {
      const info = REGISTRY[rule.code];
      for (const d of rule.check({ call, messages, calls: all, history, options })) {
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
