/**
 * The whole pipeline against tshark's ground truth for every capture in
 * ../shared/captures/MANIFEST.tsv: SIP message count and distinct Call-IDs.
 * Where we differ, DIFFERENCES says why, and a second assertion shows that
 * our answer is the right one (checked against the frames themselves).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { CAPTURES, DIFFERENCES, readManifest } from './corpus-truth.js';

const manifest = existsSync(join(CAPTURES, 'MANIFEST.tsv')) ? readManifest() : [];

test('the shared capture corpus is present', { skip: manifest.length === 0 && `no ${CAPTURES}` }, () => {
  assert.ok(manifest.length >= 60, `MANIFEST lists ${manifest.length} captures`);
});

for (const row of manifest) {
  test(`corpus: ${row.file}`, async () => {
    const store = new CallStore();
    const [report] = await loadInputs([join(CAPTURES, row.file)], store);
    assert.ok(report, 'one report per input');
    const callIds = new Set(store.calls().map((c) => c.callId).filter((id) => id !== ''));
    const ours = { messages: store.messagesSeen, callIds: callIds.size };
    const known = DIFFERENCES[row.file];
    const expected = known ? { messages: known.messages, callIds: known.callIds } : { messages: row.sipMessages, callIds: row.callIds };
    assert.deepEqual(ours, expected, known ? `explained difference: ${known.why}` : 'tshark ground truth');
    if (known) {
      assert.notDeepEqual(expected, { messages: row.sipMessages, callIds: row.callIds }, 'a listed difference must really differ from tshark');
      await known.proof?.(store, report);
    }
  });
}

test('ground truth files exist for every manifest row', { skip: manifest.length === 0 && 'no corpus' }, () => {
  for (const row of manifest) assert.ok(existsSync(join(CAPTURES, 'groundtruth', `${row.file}.tsv`)), row.file);
  assert.ok(readFileSync(join(CAPTURES, 'MANIFEST.tsv'), 'utf8').includes('sip_messages'));
});
