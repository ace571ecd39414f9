/**
 * A finding: one thing wrong (or worth knowing) about one call, with the
 * evidence that shows it and what to change. The shape is SPEC.md's
 * `diagnose --json` element and must only grow, never change meaning.
 */

export type Severity = 'info' | 'warning' | 'error';

/** Ordered from least to most severe; `--fail-on` compares by this rank. */
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'error'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

export interface Finding {
  /** A code of SPEC.md's table (the registry holds them all). */
  code: string;
  severity: Severity;
  callId: string;
  /** Indexes of the messages shown as evidence, within the call (0-based, arrival order). */
  messages: number[];
  /** One line: what is wrong. */
  summary: string;
  /** The exact values compared: header values, packet addresses, times. */
  evidence: Record<string, unknown>;
  /** One sentence: what to change, where. */
  advice: string;
}
