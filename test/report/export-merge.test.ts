/**
 * Export of several inputs to pcap/pcapng: the selected frames of all inputs
 * merged by time, streaming (each input's reader is held while its backlog is
 * full, so memory does not grow with the inputs), and read back as the same
 * calls. The two inputs interleave: one holds the even milliseconds, the other
 * the odd ones, and each is larger than a read chunk so the holding is exercised.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Call } from '../../src/calls/call.js';
import { CallStore } from '../../src/calls/store.js';
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { readCapture } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/frame.js';
import { exportCalls } from '../../src/cli/export-run.js';
import { toIso } from '../../src/core/time.js';
import { loadInputs } from '../../src/ingest/load.js';
import { mergeSelectedFrames } from '../../src/report/export/merge.js';
import { selectFrames } from '../../src/report/export/selection.js';
import { request, response } from '../helpers/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'sipv-merge-'));
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'));
const T0 = 1700000000;
const CALLS = 2200;

/** One input: CALLS calls of INVITE + 200, at T0 + (2k + parity) ms. */
function input(name: string, parity: number): string {
  const chunks: Buffer[] = [];
  const w = new PcapWriter((b) => chunks.push(b));
  for (let k = 0; k < CALLS; k++) {
    const ms = 2 * k + parity;
    const callId = `${name}-${k}`;
    const at = { sec: T0 + Math.floor(ms / 1000), nsec: (ms % 1000) * 1_000_000 };
    w.packet({ ...at, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, dstPort: 5060, transport: 'udp', payload: crlf(request('INVITE', { callId })) });
    w.packet({ ...at, nsec: at.nsec + 500_000, srcIp: '10.0.0.2', dstIp: '10.0.0.1', srcPort: 5060, dstPort: 5060, transport: 'udp', payload: crlf(response(200, 'OK', 'INVITE', { callId })) });
  }
  const path = join(dir, `${name}.pcap`);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

const files = [input('even', 0), input('odd', 1)];

async function load(paths: string[]): Promise<Call[]> {
  const store = new CallStore({ keep: () => true });
  for (const r of await loadInputs(paths, store)) assert.equal(r.error, undefined);
  return store.calls();
}

async function frames(path: string): Promise<Frame[]> {
  const out: Frame[] = [];
  const r = await readCapture(path, (f) => out.push({ ...f, data: Buffer.from(f.data) }));
  assert.equal(r.error, undefined);
  return out;
}

const time = (f: Frame): number => f.sec * 1e9 + f.nsec;

test('the inputs are each larger than a read chunk (so readers get held)', async () => {
  for (const f of files) assert.ok((await frames(f)).reduce((n, x) => n + x.data.length + 16, 0) > 1 << 20);
});

test('merge: frames of two inputs come out in time order, all of them, with a small backlog', async () => {
  const calls = await load(files);
  const selection = selectFrames(calls);
  const inputs = [...selection].map(([source, set]) => ({ source, file: files[source]!, frames: set }));
  const seen: Frame[] = [];
  const from: number[] = [];
  const queue = 64 << 10;
  const r = await mergeSelectedFrames(inputs, (f, i) => { seen.push({ ...f, data: Buffer.from(f.data) }); from.push(i.source); }, queue);
  assert.equal(seen.length, 4 * CALLS);
  for (let i = 1; i < seen.length; i++) assert.ok(time(seen[i - 1]!) <= time(seen[i]!), `frame ${i} out of order`);
  // Interleaved: the inputs alternate call by call.
  assert.deepEqual(from.slice(0, 8), [0, 0, 1, 1, 0, 0, 1, 1]);
  // Held to the limit, plus at most what one 1 MiB read chunk adds.
  assert.ok(r.holds > 0, 'a reader was held');
  assert.ok(r.peakQueuedBytes <= queue + (1 << 20), `peak backlog ${r.peakQueuedBytes}`);
});

test('merge: a throw from the writer stops every reader and comes back', async () => {
  const calls = await load(files);
  const inputs = [...selectFrames(calls)].map(([source, set]) => ({ source, file: files[source]!, frames: set }));
  let n = 0;
  await assert.rejects(mergeSelectedFrames(inputs, () => { if (++n === 100) throw new Error('disk full'); }, 64 << 10), /disk full/);
});

for (const ext of ['pcap', 'pcapng'] as const) {
  test(`${ext} export of two inputs is merged by time and loads back as the same calls`, async () => {
    const calls = await load(files);
    assert.equal(calls.length, 2 * CALLS);
    const out = join(dir, `merged.${ext}`);
    const r = await exportCalls(files, calls, out);
    assert.equal(r.packets, 4 * CALLS);
    const written = await frames(out);
    for (let i = 1; i < written.length; i++) assert.ok(time(written[i - 1]!) <= time(written[i]!), `frame ${i} out of order`);
    const back = await load([out]);
    const key = (cs: Call[]): string[] => cs.flatMap((c) => c.kept!.map((m) => `${c.callId} ${toIso(m)} ${m.msg.raw.toString('base64')}`)).sort();
    assert.deepEqual(key(back), key(calls));
  });
}
