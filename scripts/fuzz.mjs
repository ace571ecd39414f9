#!/usr/bin/env node
// `npm run fuzz [-- MINUTES]`: runs the fuzz suites again and again with fresh
// seeds and many cases per property until the time is up; prints each seed, so
// a failure can be replayed with FUZZ_SEED=… FUZZ_RUNS=… node --test FILE.
import { spawnSync } from 'node:child_process';

const minutes = Number(process.argv[2] ?? 30);
const runs = Number(process.env.FUZZ_RUNS ?? 2000);
const files = [
  'dist/test/ingest/fuzz.test.js',
  'dist/test/sip/fuzz.test.js',
  'dist/test/net/decode.test.js',
];
const stop = Date.now() + minutes * 60_000;
let rounds = 0;
while (Date.now() < stop) {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const r = spawnSync(process.execPath, ['--test', ...files], {
    env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed) },
    encoding: 'utf8',
  });
  rounds++;
  const failed = r.status !== 0;
  console.log(`round ${rounds} seed ${seed} runs/property ${runs}: ${failed ? 'FAILED' : 'ok'}`);
  if (failed) {
    console.log(r.stdout.split('\n').filter((l) => /not ok|Counterexample|seed|Error/.test(l)).join('\n'));
    process.exit(1);
  }
}
console.log(`fuzzed for ${minutes} min: ${rounds} rounds, ${runs} cases per property per round, no failure`);
