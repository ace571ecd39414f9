/**
 * The readable `compare` report: the verdict in one line, then per pair the
 * changes (ALG rewrites highlighted, NAT translation dimmed), the messages seen
 * on one side only, and the findings with advice. Colour only when cli/ says
 * stdout is a terminal; every captured string is sanitised.
 */
import pc from 'picocolors';
import { safeInline } from '../core/sanitize.js';
import type { CompareResult } from '../compare/model.js';

const VERDICT_TEXT = {
  alg: 'ALG: the device rewrote or dropped SIP between the two captures',
  'nat-only': 'NAT only: addresses and ports translated, SIP and SDP untouched',
  identical: 'identical: the same messages, byte for byte, on both sides',
  unrelated: 'unrelated: no message of one capture appears in the other',
} as const;

export function renderCompare(r: CompareResult, o: { color: boolean; beforeName: string; afterName: string }): string {
  const c = pc.createColors(o.color);
  const s = (t: string) => safeInline(t);
  const lines: string[] = [];
  lines.push(`${c.bold('verdict:')} ${r.verdict === 'alg' ? c.red(VERDICT_TEXT.alg) : VERDICT_TEXT[r.verdict]}`);
  lines.push(c.dim(`BEFORE ${s(o.beforeName)}  AFTER ${s(o.afterName)}  ${r.pairs.length} pairs, ${r.onlyBefore.length} only before, ${r.onlyAfter.length} only after` +
    (r.clockOffsetNs !== 0 ? `, clock offset ${(r.clockOffsetNs / 1e6).toFixed(3)} ms` : '')));
  for (const p of r.pairs) {
    const alg = p.changes.filter((x) => x.kind === 'alg').length;
    const head = `[${p.before}↔${p.after}] ${s(p.label)}  ${c.dim(s(p.callId))}${p.match === 'content' ? c.yellow('  (paired by content: identifiers differ)') : ''}`;
    lines.push(alg ? c.bold(head) : head);
    for (const ch of p.changes) {
      const row = ch.what === 'cosmetic'
        ? `    ${ch.kind.padEnd(3)} ${s(ch.where)}: cosmetic (${s(ch.note ?? 'spelling')}): ${JSON.stringify(s(ch.before))} → ${JSON.stringify(s(ch.after))}`
        : `    ${ch.kind.padEnd(3)} ${s(ch.where)}: ${s(ch.before) || '∅'} → ${s(ch.after) || '∅'}`;
      lines.push(ch.kind === 'alg' ? c.red(row) : c.dim(row));
    }
    if (p.changes.length === 0) lines.push(c.dim('    no change'));
  }
  if (r.onlyBefore.length) lines.push(`only in BEFORE: ${r.onlyBefore.join(', ')}`);
  if (r.onlyAfter.length) lines.push(`only in AFTER: ${r.onlyAfter.join(', ')}`);
  for (const f of r.findings) {
    const paint = f.severity === 'error' ? (t: string) => c.bold(c.red(t)) : f.severity === 'warning' ? c.yellow : c.cyan;
    lines.push(`${paint(`${f.severity.toUpperCase()} ${f.code}`)}  ${s(f.summary)}`);
    lines.push(`  ${c.green('fix:')} ${f.advice}`);
  }
  return lines.join('\n') + '\n';
}
