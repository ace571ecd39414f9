/**
 * The readable `probe alg` report: the probe's verdict and what the mirror saw
 * in a few lines, then the compare report of this host's view (BEFORE) against
 * the mirror's (AFTER), then the NAT-timeout result when one was measured.
 */
import pc from 'picocolors';
import { safeInline } from '../core/sanitize.js';
import type { ProbeResult, ProbeVerdict } from '../probe/client.js';
import type { NatTimeoutResult } from '../probe/nat-timeout.js';
import { renderCompare } from './compare-text.js';

const VERDICT_TEXT: Record<ProbeVerdict, string> = {
  alg: 'ALG: something on the path rewrote, dropped or answered our SIP',
  'nat-only': 'NAT only: the source address/port was translated, SIP and SDP arrived untouched',
  'no-nat': 'no NAT: the mirror saw exactly what was sent, from this host\'s own address',
  'no-answer': 'no answer: the mirror never answered (address, port, token, or a firewall?)',
};

export function renderProbe(r: ProbeResult, o: { color: boolean }): string {
  const c = pc.createColors(o.color);
  const s = (t: string) => safeInline(t);
  const lines = [
    `${c.bold('verdict:')} ${r.verdict === 'alg' ? c.red(VERDICT_TEXT.alg) : VERDICT_TEXT[r.verdict]} (${r.transport})`,
    `this host ${s(r.local)} → mirror ${s(r.server)}; the mirror saw us as ${s(r.seenAs ?? '–')}`,
  ];
  for (const e of r.exchanges) {
    const others = e.otherAnswers.map((x) => `${s(x.status)} from ${s(x.from)}`).join(', ');
    lines.push(`  ${e.method.padEnd(8)} ${e.answeredBy === 'none' ? c.red('no answer') : e.answeredBy === 'mirror' ? `echoed in ${e.rttMs} ms` : c.red(`answered by something else: ${others}`)}`);
  }
  if (r.verdict === 'no-answer') return lines.join('\n') + '\n';
  const detail = renderCompare({ ...r.compare, findings: r.findings }, { color: o.color, beforeName: 'this host (sent/received)', afterName: 'the mirror (saw/sent)' });
  return lines.join('\n') + '\n' + detail.split('\n').slice(1).join('\n');
}

export function renderNatTimeout(n: NatTimeoutResult): string {
  const sec = (ms: number) => (ms / 1000).toFixed(2);
  if (n.expiredMs === null) {
    return `NAT binding timeout: longer than ${sec(n.maxWaitMs)} s (the maximum wait); any keepalive ≤ ${n.keepaliveS} s is safe\n`;
  }
  return `NAT binding timeout: ≈ ${n.timeoutS} s (kept after ${sec(n.survivedMs)} s idle, expired after ${sec(n.expiredMs)} s; ${n.trials.length} trials)\n` +
    `keepalive: send one every ${n.keepaliveS} s or less (SIP OPTIONS/CRLF keepalive or re-REGISTER interval)\n`;
}
