/**
 * A capture cut at any byte keeps every complete message before the cut, and
 * says it was cut. Runs the whole pipeline on real captures truncated at many
 * offsets (pcap and pcapng, UDP with IP fragments).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import type { CapturedMessage } from '../../src/calls/captured-message.js';
import { loadInputs, type InputReport } from '../../src/ingest/load.js';
import { EXAMPLES, CAPTURES } from '../helpers/paths.js';
import { pcapngPacketEnds, pcapRecordEnds } from '../helpers/capture-walk.js';

async function load(file: string): Promise<{ messages: CapturedMessage[]; report: InputReport }> {
  const messages: CapturedMessage[] = [];
  const store = new CallStore();
  const add = store.add.bind(store);
  store.add = (m) => { messages.push(m); add(m); };
  const [report] = await loadInputs([file], store);
  return { messages, report: report! };
}

async function checkCuts(path: string, ends: number[], step: number): Promise<void> {
  const bytes = readFileSync(path);
  const full = await load(path);
  const dir = mkdtempSync(join(tmpdir(), 'sipv-cut-'));
  try {
    for (let cut = 1; cut < bytes.length; cut += step) {
      const file = join(dir, 'cut');
      writeFileSync(file, bytes.subarray(0, cut));
      const { messages, report } = await load(file);
      const complete = ends.filter((e) => e <= cut).length;
      // UDP and fragments only: a message is complete once the frame that completes it is.
      const expected = full.messages.filter((m) => m.frame <= complete).map((m) => m.frame);
      assert.deepEqual(messages.map((m) => m.frame), expected, `cut at ${cut}: every complete message before the cut`);
      const atBoundary = cut === 24 || ends.includes(cut);
      if (!atBoundary) {
        const told = report.fatal !== undefined || report.error !== undefined || report.issues.some((i) => /truncat|ends inside|short/i.test(`${i.code} ${i.detail}`));
        assert.ok(told, `cut at ${cut}: the cut is reported`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('pcap cut at every 37th byte keeps every complete message', async () => {
  const path = join(EXAMPLES, 'nat-calls.pcap');
  await checkCuts(path, pcapRecordEnds(readFileSync(path)), 37);
});

test('pcap with IP fragments cut at many offsets keeps every reassembled message', { skip: !existsShared('gprshome-wireshark-sip.pcap') && 'no shared corpus' }, async () => {
  const path = join(CAPTURES, 'gprshome-wireshark-sip.pcap');
  await checkCuts(path, pcapRecordEnds(readFileSync(path)), 9973);
});

test('pcapng cut at many offsets keeps every complete message', { skip: !existsShared('goffinet-sip_captures-sip-register-publish-subscribe-489-401.pcapng') && 'no shared corpus' }, async () => {
  const path = join(CAPTURES, 'goffinet-sip_captures-sip-register-publish-subscribe-489-401.pcapng');
  await checkCuts(path, pcapngPacketEnds(readFileSync(path)), 211);
});

function existsShared(name: string): boolean {
  try {
    readFileSync(join(CAPTURES, name), { flag: 'r' }).subarray(0, 1);
    return true;
  } catch {
    return false;
  }
}
