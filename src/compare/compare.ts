/**
 * `sipv compare BEFORE AFTER` as a library: pair the messages of two captures
 * of the same traffic (taken on the two sides of a router), diff each pair,
 * tell the NAT's address translation from an ALG's rewriting, account for
 * messages seen on one side only, and give a verdict with findings.
 *
 * One-sided messages are judged by where they were going: a message whose
 * destination also received paired messages on that side should have crossed
 * the device (`alg.dropped`), unless it is a request from outside to the NAT's
 * own public address — then the NAT simply had no binding for it any more
 * (`nat.binding-timeout`). Anything else is unrelated traffic seen by one
 * capture only, and is only listed.
 */
import { isBehindNat } from '../diagnose/addresses.js';
import { getHeader } from '../sip/headers.js';
import { diffMessages } from './diff.js';
import { bindingFindings, droppedFindings, identifierFindings, malformedFindings, rewriteFindings, type OneSided } from './findings.js';
import type { CompareResult, MessagePair, Side, Verdict } from './model.js';
import { pairMessages } from './pair.js';
import { messageLabel } from './words.js';

const ep = (ip: string, port: number): string => `${ip}:${port}`;

export function compareCaptures(before: Side, after: Side): CompareResult {
  const pairing = pairMessages(before, after);
  const pairs: MessagePair[] = pairing.pairs.map((p) => {
    const b = before[p.before]!, a = after[p.after]!;
    return { callId: getHeader(b.msg, 'call-id') ?? '', before: p.before, after: p.after, match: p.match, label: messageLabel(b.msg), changes: diffMessages(b, a) };
  });

  // Which capture is inside the NAT: the one whose translated addresses are private.
  const translated: { before: string; after: string }[] = [];
  for (const c of pairs.flatMap((p) => p.changes)) if (c.kind === 'nat') translated.push({ before: c.before, after: c.after });
  const privateShare = (side: 'before' | 'after') => translated.filter((t) => isBehindNat(t[side].replace(/:\d+$/, ''))).length;
  const inside: 'before' | 'after' | undefined = translated.length === 0 ? undefined : privateShare('after') > privateShare('before') ? 'after' : 'before';
  const outside = inside === 'before' ? 'after' : 'before';
  const publicEndpoints = new Set(translated.map((t) => t[outside]));

  const pairedDst = { before: new Set<string>(), after: new Set<string>() };
  for (const p of pairs) {
    const b = before[p.before]!, a = after[p.after]!;
    pairedDst.before.add(ep(b.dstIp, b.dstPort));
    pairedDst.after.add(ep(a.dstIp, a.dstPort));
  }
  const dropped: OneSided[] = [], unbound: OneSided[] = [];
  const judge = (side: 'before' | 'after', list: Side, idx: number[]) => {
    for (const index of idx) {
      const m = list[index]!;
      const dst = ep(m.dstIp, m.dstPort);
      if (inside !== undefined && side === outside && publicEndpoints.has(dst) && m.msg.kind === 'request') unbound.push({ side, index, m });
      else if (pairedDst[side].has(dst)) dropped.push({ side, index, m });
    }
  };
  judge('before', before, pairing.onlyBefore);
  judge('after', after, pairing.onlyAfter);

  const findings = [
    ...rewriteFindings(pairs),
    ...identifierFindings(pairs, before, after),
    ...malformedFindings(pairs, before, after),
    ...droppedFindings(dropped),
    ...bindingFindings(unbound),
  ];
  return { verdict: verdictOf(pairs, dropped.length > 0, before.length + after.length), pairs, onlyBefore: pairing.onlyBefore, onlyAfter: pairing.onlyAfter, findings, clockOffsetNs: pairing.clockOffsetNs };
}

function verdictOf(pairs: MessagePair[], dropped: boolean, total: number): Verdict {
  if (pairs.length === 0) return total === 0 ? 'identical' : 'unrelated';
  const kinds = new Set(pairs.flatMap((p) => p.changes.map((c) => c.kind)));
  if (kinds.has('alg') || dropped) return 'alg';
  return kinds.has('nat') ? 'nat-only' : 'identical';
}

/** SPEC.md's `compare --json` object (plus `match`/`label` per pair and `clockOffsetNs`, additions the contract allows). */
export function compareToJson(r: CompareResult): object {
  return {
    verdict: r.verdict,
    pairs: r.pairs.map((p) => ({ callId: p.callId, before: p.before, after: p.after, match: p.match, label: p.label, changes: p.changes })),
    onlyBefore: r.onlyBefore,
    onlyAfter: r.onlyAfter,
    findings: r.findings,
    clockOffsetNs: r.clockOffsetNs,
  };
}
