/**
 * Synthetic traffic from ../shared/tools/gen-sip-pcap (issue 7's known false
 * positives): its "forbidden" calls are phones refused 403 by their own PBX
 * with a 3-digit extension in From, and its extensions repeat across LANs —
 * neither is a Caller-ID or Diversion fault. Its "timeout" calls (INVITE,
 * retransmitted at 0.5/1/2/4 s, then 408 without any provisional) are exactly
 * the timing.no-provisional errors; its answered, busy and cancelled calls
 * are clean. Besides those, only info findings and diversion.invalid (the
 * generator draws Diversion numbers libphonenumber calls invalid, e.g.
 * +44 7700 6xxxxx) may appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../helpers/paths.js';
import { writeTemp } from '../helpers/sip-pcap.js';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { diagnose } from '../../src/diagnose/engine.js';

const GEN = join(SHARED, 'tools', 'gen-sip-pcap');
const python = spawnSync('python3', ['--version']);
const skip = !existsSync(GEN) ? `no ${GEN}` : python.status !== 0 ? 'no python3' : false;

for (const seed of [1, 3]) {
  test(`gen-sip-pcap --calls 400 --seed ${seed}: timeouts are timing.no-provisional, nothing else warns`, { skip }, async () => {
    const out = writeTemp({}).dir + '/gen.pcap';
    const r = spawnSync('python3', [GEN, '--calls', '400', '--seed', String(seed), '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const timeouts = Number(/timeout408=(\d+)/.exec(r.stderr)![1]);
    assert.ok(Number(/forbidden403=(\d+)/.exec(r.stderr)![1]) > 10, 'the sample has forbidden calls to judge');
    const store = new CallStore({ keep: () => true });
    await loadInputs([out], store);
    const findings = diagnose({ calls: store.calls() });
    const count = (code: string): number => findings.filter((f) => f.code === code).length;
    assert.equal(count('callerid.rejected'), 0);
    assert.equal(count('diversion.missing'), 0);
    assert.equal(findings.filter((f) => f.code === 'timing.no-provisional' && f.severity === 'error').length, timeouts);
    const loud = findings.filter((f) => f.severity !== 'info' && f.code !== 'timing.no-provisional' && f.code !== 'diversion.invalid');
    assert.deepEqual(loud.map((f) => `${f.code} ${f.callId}: ${f.summary}`), []);
  });
}
