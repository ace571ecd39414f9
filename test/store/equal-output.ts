/**
 * The store's promise, checked through the real binary: after `sipv index`,
 * `calls --store` and `show --store` print byte for byte what `calls FILE...`
 * and `show FILE...` print, for every store kind this suite is given.
 */
import assert from 'node:assert/strict';
import { sipv, type CliResult } from '../helpers/run-cli.js';

/** stdout of a command that must succeed (exit 0, or 2 when FILE... has damaged inputs). */
export function out(args: string[], allowDamage = false): string {
  const r: CliResult = sipv(args);
  assert.ok(r.code === 0 || (allowDamage && r.code === 2), `sipv ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

export const CALLS_VARIANTS: string[][] = [
  [],
  ['--json'],
  ['--ndjson', '--sort', 'callid'],
  ['--where', 'has Diversion', '--json'],
  ['--where', 'telnum 1*', '--where', 'ip 10.0.0.0/8', '--condition', 'and'],
  ['--where', 'srcip 192.168.*', '--where', 'has p-asserted-identity'],
  ['--where', 'dstnum 8969669 100 6001'],
];

/** Calls whose show output is compared: first, middle, last and the busiest. */
export function sampleCalls(callsJson: string): { index: number; callId: string }[] {
  const calls = JSON.parse(callsJson) as { index: number; callId: string; messages: number }[];
  const busiest = [...calls].sort((a, b) => b.messages - a.messages).slice(0, 1);
  const spread = [0, 0.5, 1].map((f) => calls[Math.min(calls.length - 1, Math.floor(f * (calls.length - 1)))]!);
  const picked = new Map<number, { index: number; callId: string }>();
  for (const c of [...spread, ...busiest]) picked.set(c.index, c);
  return [...picked.values()];
}
