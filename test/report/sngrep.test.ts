/**
 * Exported pcaps open in sngrep (Debian `sngrep`, 1.6) with the same calls: run
 * without its interface (`-N`), sngrep counts the dialogs it built from the file
 * — as many as the calls exported — finds each exported Call-ID as one dialog
 * (its match expression), and re-saves (`-O`) exactly the packets of those
 * dialogs, which our reader loads back as the same calls with the same messages.
 * Covers UDP with retransmissions, SIP over TCP split across segments, IP
 * fragments, pcapng in and out, and two inputs merged into one export.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Call } from '../../src/calls/call.js';
import { compileFilter, parseClause } from '../../src/calls/filter.js';
import { CallStore } from '../../src/calls/store.js';
import { exportCalls } from '../../src/cli/export-run.js';
import { loadInputs } from '../../src/ingest/load.js';
import { CAPTURES } from '../helpers/paths.js';

const SNGREP = spawnSync('sngrep', ['-V']).status === 0;
const skip = SNGREP ? false : 'sngrep is not installed (apt-get install sngrep)';

const CASES: { files: string[]; where: string[]; calls: number }[] = [
  { files: ['irontec-sngrep-aaa.pcap'], where: ['dstnum 97239287044'], calls: 3 },
  { files: ['aboutsip-pkts-fragmented_tcp_sip.pcap'], where: [], calls: 1 },
  { files: ['gprshome-wireshark-sip.pcap'], where: ['has Proxy-Authorization'], calls: 6 },
  { files: ['goffinet-sip_captures-sip-register-publish-subscribe-489-401.pcapng'], where: ['has Authorization'], calls: 11 },
  { files: ['irontec-sngrep-aaa.pcap', 'aboutsip-pkts-sipp.pcap'], where: [], calls: 11 },
];

const dir = mkdtempSync(join(tmpdir(), 'sipv-sngrep-'));

async function load(files: string[]): Promise<Call[]> {
  const store = new CallStore({ keep: () => true });
  for (const r of await loadInputs(files, store)) assert.equal(r.error, undefined);
  return store.calls();
}

/** `sngrep -N` ends with `\rDialog count: N`: the dialogs it built from the file. */
function sngrep(args: string[]): number {
  const r = spawnSync('sngrep', ['-F', '-N', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TERM: 'dumb' } });
  assert.equal(r.status, 0, r.stderr);
  const counts = [...r.stdout.matchAll(/Dialog count: (\d+)/g)];
  assert.ok(counts.length > 0, `no dialog count in: ${JSON.stringify(r.stdout)}`);
  return Number(counts[counts.length - 1]![1]);
}

/** Call-ID and number of messages, per call, in Call-ID order. */
const shape = (calls: Call[]): string[] => calls.map((c) => `${c.callId} ${c.messages}`).sort();

for (const c of CASES) {
  for (const ext of ['pcap', 'pcapng'] as const) {
    test(`sngrep reads the ${ext} export of ${c.files.join(' + ')} ${c.where.join(' ')} as the same calls`, { skip }, async () => {
      const inputs = c.files.map((f) => join(CAPTURES, f));
      const calls = (await load(inputs)).filter(compileFilter({ clauses: c.where.map(parseClause), condition: 'or' }));
      assert.equal(calls.length, c.calls);
      const out = join(dir, `${c.files.join('+')}.${c.where.length}.${ext}`);
      await exportCalls(inputs, calls, out);
      assert.equal(sngrep(['-I', out]), calls.length, 'dialogs sngrep shows = calls exported');
      for (const call of calls.slice(0, 4)) assert.equal(sngrep(['-I', out, call.callId]), 1, `sngrep finds ${call.callId}`);
      const resaved = `${out}.sngrep.pcap`;
      sngrep(['-I', out, '-O', resaved]);
      assert.deepEqual(shape(await load([resaved])), shape(calls), 'what sngrep saves of its dialogs loads back as the same calls');
    });
  }
}
