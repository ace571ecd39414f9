/**
 * The call store's two paths give the same calls: every capture of the
 * shared corpus and the examples is read once, and each message goes to one
 * store as scanned (the ingest path) and to another fully parsed (the path of
 * live feeds and tests). Summaries and filter facts must be identical. A
 * third store gathers no filter facts (`calls` without a filter), a fourth no
 * header names (a filter without `has`): the same summaries and other facts,
 * and asking either for what it skipped is an error, never an empty answer.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import type { Call } from '../../src/calls/call.js';
import { readCapture } from '../../src/capture/source.js';
import { PacketDecoder } from '../../src/net/decode.js';
import { SipExtractor } from '../../src/ingest/extract.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { isCleanScan } from '../../src/sip/scan.js';
import { callToJson } from '../../src/report/json.js';
import { CAPTURES, EXAMPLES } from '../helpers/paths.js';

function summary(c: Call, withNames = true): unknown {
  const f = c.facts;
  const numbers = { srcIps: f.srcIps, dstIps: f.dstIps, fromNumbers: f.fromNumbers, toNumbers: f.toNumbers, diversion: f.diversion, pai: f.pai, ppi: f.ppi };
  return { ...callToJson(c), facts: withNames ? { ...numbers, headerNames: [...f.headerNames].sort() } : numbers };
}

const files = [
  ...(existsSync(CAPTURES) ? readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(f)).map((f) => join(CAPTURES, f)) : []),
  ...readdirSync(EXAMPLES).filter((f) => !f.endsWith('.md')).map((f) => join(EXAMPLES, f)),
];

test('scanned and fully parsed messages build the same calls', async () => {
  assert.ok(files.length > 0);
  let scanned = 0;
  for (const file of files) {
    const fast = new CallStore();
    const slow = new CallStore();
    const bare = new CallStore({ facts: false });
    const nameless = new CallStore({ headerNames: false });
    const decoder = new PacketDecoder();
    const extractor = new SipExtractor((m) => {
      if (isCleanScan(m.msg)) scanned++;
      slow.add({ ...m, msg: parseSipMessage(Buffer.from(m.msg.raw)) ?? m.msg });
      fast.add(m);
      bare.add({ ...m });
      nameless.add({ ...m });
    });
    await readCapture(file, (f) => decoder.push(f, (p) => extractor.push(p)));
    decoder.end();
    extractor.end();
    assert.deepEqual(fast.calls().map((c) => summary(c)), slow.calls().map((c) => summary(c)), file);
    // `calls` without a filter skips the facts: the listing itself must not change.
    assert.deepEqual(bare.calls().map(callToJson), fast.calls().map(callToJson), file);
    for (const c of bare.calls()) assert.throws(() => c.facts, /call facts were not gathered/);
    // A filter without `has` needs no header names: every other fact is the same.
    assert.deepEqual(nameless.calls().map((c) => summary(c, false)), fast.calls().map((c) => summary(c, false)), file);
    for (const c of nameless.calls()) assert.throws(() => c.facts.headerNames, /header names were not gathered/);
  }
  assert.ok(scanned > 1000, `the corpus exercises the scan (${scanned} messages)`);
});
