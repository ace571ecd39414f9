/**
 * Views of big inputs: a listing of more calls, and a ladder of more messages,
 * than a function may take arguments (`Math.max(...list)` overflowed the stack
 * at about 120 000: `sipv calls` on a 1 GB capture ended in an internal error).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CallStore } from '../../src/calls/store.js';
import { renderCallsTable, writeCallsTable } from '../../src/report/calls-text.js';
import { buildLadder } from '../../src/report/ladder.js';
import { renderLadderText } from '../../src/report/ladder-text.js';
import { captured, request } from '../helpers/messages.js';

const MANY = 200_000;

test(`a table of ${MANY} calls: every call on its own line, written in pieces`, () => {
  const store = new CallStore({ facts: false });
  for (let i = 0; i < MANY; i++) store.add(captured(request('OPTIONS', { callId: `c${i}`, from: String(100 + (i % 900)) }), { at: 1_700_000_000 + i }));
  const pieces: string[] = [];
  writeCallsTable(store.calls(), 160, (text) => pieces.push(text));
  const lines = pieces.join('').trimEnd().split('\n');
  assert.equal(lines.length, MANY + 1);
  assert.match(lines[0]!, /^ +IDX {2}START \(UTC\)/);
  assert.match(lines[MANY]!, /^199999  2023-11-17 05:46:39\.000000  OPTIONS  +299 +8969669 +- +1 +0  c199999$/);
  assert.ok(pieces.length > 100 && pieces.every((p) => p.length < 70_000), 'written in pieces of about 64 KiB');
  assert.equal(renderCallsTable(store.calls(), 160), pieces.join(''));
});

test(`a ladder of one call with ${MANY} messages`, () => {
  const messages = Array.from({ length: MANY }, (_, i) => captured(request('INFO', { cseq: i + 1, branch: `b${i}` }), { at: 1_700_000_000 + i / 10 }, i));
  const text = renderLadderText(buildLadder('call-1@10.0.0.1', messages), { width: 100, unicode: false });
  assert.equal(text.split('\n').filter((l) => l.includes('INFO')).length, MANY);
});
