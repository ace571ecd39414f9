/**
 * Shared fast-check settings: a bounded number of runs in the normal suite,
 * more with FUZZ_RUNS=N (`npm run fuzz`), and a replayable seed — fast-check
 * prints the seed and path of any failure; FUZZ_SEED=… replays it.
 */
import type { Parameters } from 'fast-check';

export function fuzzParams<T>(defaultRuns: number): Parameters<T> {
  const runs = Number(process.env['FUZZ_RUNS'] ?? defaultRuns);
  const params: Parameters<T> = { numRuns: runs, endOnFailure: true };
  if (process.env['FUZZ_SEED']) params.seed = Number(process.env['FUZZ_SEED']);
  if (process.env['FUZZ_PATH']) params.path = process.env['FUZZ_PATH'];
  return params;
}
