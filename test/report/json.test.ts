/** `callJsonText` (the fast `calls --json` writer) prints exactly `JSON.stringify(callToJson(call))`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Call } from '../../src/calls/call.js';
import { CallStore } from '../../src/calls/store.js';
import { loadInputs } from '../../src/ingest/load.js';
import { callJsonText, callToJson, writeCallsJson } from '../../src/report/json.js';
import { CAPTURES } from '../helpers/paths.js';

test('every call of the public captures serialises the same both ways', async () => {
  const files = readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).slice(0, 25).map((f) => join(CAPTURES, f));
  const store = new CallStore();
  await loadInputs(files, store);
  const calls = store.calls();
  assert.ok(calls.length > 100, `${calls.length} calls`);
  for (const c of calls) assert.equal(callJsonText(c), JSON.stringify(callToJson(c)));
});

test('strings that need escaping, nulls and nanosecond times', () => {
  const odd: Call = {
    index: 7, callId: 'a"b\\c\u0000\u001f\u2028\ud83d\ude00é', start: { sec: 1700000000, nsec: 123456789 }, end: { sec: 1700000001, nsec: 5000 },
    firstMethod: null, from: '"', to: '\n', srcIp: '::1', dstIp: '', messages: 0, finalStatus: null,
    retransmissions: 0, duplicates: 2, anomalies: 3, kept: null,
    facts: { srcIps: [], dstIps: [], fromNumbers: [], toNumbers: [], diversion: [], pai: [], ppi: [], headerNames: { has: () => false, [Symbol.iterator]: [][Symbol.iterator] } },
  };
  assert.equal(callJsonText(odd), JSON.stringify(callToJson(odd)));
  const answered = { ...odd, firstMethod: 'INVITE', finalStatus: 200 };
  assert.equal(callJsonText(answered), JSON.stringify(callToJson(answered)));
  let out = '';
  writeCallsJson([odd, answered], (t) => { out += t; });
  assert.deepEqual(JSON.parse(out), [callToJson(odd), callToJson(answered)]);
});
