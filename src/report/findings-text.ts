/**
 * The readable `diagnose` report: findings grouped by severity (errors first),
 * then by call, each with its messages, the evidence compared and the advice.
 * Colour only when the caller says the output is a terminal (cli/ decides);
 * every captured string passes through the sanitiser, because evidence holds
 * header values an attacker controls.
 */
import pc from 'picocolors';
import { safeInline } from '../core/sanitize.js';
import { SEVERITIES, type Finding, type Severity } from '../diagnose/finding.js';

export interface FindingsTextOptions {
  color: boolean;
  /** Arrival index of each call, to print `call 3`. */
  callIndex?: ReadonlyMap<string, number>;
  /** How many calls were diagnosed, for the closing line. */
  calls?: number;
}

export function renderFindings(findings: readonly Finding[], o: FindingsTextOptions): string {
  const c = pc.createColors(o.color);
  const paint: Record<Severity, (s: string) => string> = { error: (s) => c.bold(c.red(s)), warning: c.yellow, info: c.cyan };
  const lines: string[] = [];
  for (const severity of [...SEVERITIES].reverse()) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(paint[severity](`${severity.toUpperCase()} (${group.length})`));
    const callIds = [...new Set(group.map((f) => f.callId))];
    for (const callId of callIds) {
      const idx = o.callIndex?.get(callId);
      lines.push(`  ${c.bold(idx === undefined ? 'call' : `call ${idx}`)}  ${safeInline(callId)}`);
      for (const f of group.filter((x) => x.callId === callId)) {
        lines.push(`    ${paint[severity](f.code)}  ${safeInline(f.summary)}`);
        if (f.messages.length > 0) lines.push(`      ${c.dim('messages:')} ${f.messages.join(', ')}`);
        for (const [k, v] of Object.entries(f.evidence)) lines.push(`      ${c.dim(`${k}:`)} ${safeInline(show(v))}`);
        lines.push(`      ${c.green('fix:')} ${f.advice}`);
      }
    }
  }
  lines.push(closing(findings, o.calls));
  return lines.join('\n') + '\n';
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function closing(findings: readonly Finding[], calls?: number): string {
  if (findings.length === 0) return calls === undefined ? 'no findings' : `no findings in ${calls} calls`;
  const counts = [...SEVERITIES].reverse().map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  const affected = new Set(findings.map((f) => f.callId)).size;
  return `${findings.length} findings (${counts}) in ${affected}${calls === undefined ? '' : ` of ${calls}`} calls`;
}
