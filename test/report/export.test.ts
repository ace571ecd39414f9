/**
 * Export round trips over public captures: the calls a filter selects, written
 * as pcap / pcapng / tcpdump text / JSON, then read back by tshark (same SIP
 * messages and Call-IDs as tshark finds for those calls in the original) and by
 * our own reader (the same messages: time, addresses, transport, bytes).
 * The captures cover UDP with retransmissions, SIP over TCP split across
 * segments, IP fragments, and pcapng input.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Call } from '../../src/calls/call.js';
import { compileFilter, parseClause } from '../../src/calls/filter.js';
import { CallStore } from '../../src/calls/store.js';
import { endpoint } from '../../src/net/packet.js';
import { toIso } from '../../src/core/time.js';
import { loadInputs } from '../../src/ingest/load.js';
import { exportCalls } from '../../src/cli/export-run.js';
import { asciiDump } from '../../src/report/export/text-out.js';
import { CAPTURES } from '../helpers/paths.js';

const TSHARK = spawnSync('tshark', ['--version']).status === 0;
const NO_TSHARK = TSHARK ? false : 'tshark is not installed (apt-get install tshark)';

interface Case { file: string; where: string[]; expect: { calls: number; multiFrame?: boolean } }
const CASES: Case[] = [
  { file: 'irontec-sngrep-aaa.pcap', where: ['dstnum 97239287044'], expect: { calls: 3 } },
  { file: 'aboutsip-pkts-fragmented_tcp_sip.pcap', where: [], expect: { calls: 1, multiFrame: true } },
  { file: 'gprshome-wireshark-sip.pcap', where: ['has Proxy-Authorization'], expect: { calls: 6, multiFrame: true } },
  // pcapng input; the filter picks 11 of its calls (REGISTER/SUBSCRIBE/PUBLISH with credentials).
  { file: 'goffinet-sip_captures-sip-register-publish-subscribe-489-401.pcapng', where: ['has Authorization'], expect: { calls: 11 } },
];

async function load(file: string): Promise<{ all: Call[] }> {
  const store = new CallStore({ keep: () => true });
  const [report] = await loadInputs([file], store);
  assert.equal(report!.error, undefined);
  return { all: store.calls() };
}

async function select(c: Case): Promise<Call[]> {
  const { all } = await load(join(CAPTURES, c.file));
  return all.filter(compileFilter({ clauses: c.where.map(parseClause), condition: 'or' }));
}

/** What a reader sees of each message, for comparing an original with its reload. */
function messages(calls: Call[], text = false): string[] {
  return calls.flatMap((c) => (c.kept ?? []).map((m) => [
    c.callId, toIso(m), endpoint(m.srcIp, m.srcPort), endpoint(m.dstIp, m.dstPort),
    text ? (m.transport === 'udp' ? 'udp' : 'tcp') : m.transport,
    text ? asciiDump(m.msg.raw) : m.msg.raw.toString('base64'),
  ].join(' | ')));
}

/** `Call-ID CSeq` of every SIP message tshark dissects, sorted; only the given Call-IDs. */
function tsharkSip(file: string, callIds: Set<string>): string[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-E', 'separator=|', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  // A frame with several SIP messages lists their fields comma-separated: one entry each.
  const rows = r.stdout.split('\n').filter((l) => l !== '').flatMap((l) => {
    const [ids, cseqs] = l.split('|');
    const a = ids!.split(',');
    const b = cseqs!.split(',');
    return a.map((id, i) => `${id} ${b[i] ?? ''}`);
  });
  return rows.filter((row) => callIds.has(row.split(' ')[0]!)).sort();
}

const dir = mkdtempSync(join(tmpdir(), 'sipv-export-'));

for (const c of CASES) {
  for (const ext of ['pcap', 'pcapng'] as const) {
    test(`${ext} round trip: ${c.file} ${c.where.join(' ')}`, async () => {
      const calls = await select(c);
      assert.equal(calls.length, c.expect.calls);
      if (c.expect.multiFrame) assert.ok(calls.some((call) => call.kept!.some((m) => (m.frames?.length ?? 1) > 1)), 'a message spanning several frames');
      const out = join(dir, `${c.file}.${c.where.length}.${ext}`);
      const r = await exportCalls([join(CAPTURES, c.file)], calls, out);
      assert.equal(r.calls, calls.length);
      // Our reader gives back exactly the selected messages.
      const back = (await load(out)).all;
      assert.deepEqual(back.map((x) => x.callId), calls.map((x) => x.callId));
      assert.deepEqual(messages(back), messages(calls));
    });
    test(`${ext} export seen by tshark: ${c.file} ${c.where.join(' ')}`, { skip: NO_TSHARK }, async () => {
      const calls = await select(c);
      const out = join(dir, `${c.file}.${c.where.length}.tshark.${ext}`);
      await exportCalls([join(CAPTURES, c.file)], calls, out);
      const ids = new Set(calls.map((x) => x.callId));
      const original = tsharkSip(join(CAPTURES, c.file), ids);
      // Every Call-ID in the export, so a stray call would show up as a difference.
      const all = tsharkSip(out, new Set(allCallIds(out)));
      assert.ok(original.length > 0);
      assert.deepEqual(all, original, 'tshark shows the same SIP messages, and no other Call-ID');
    });
  }
  test(`text export reloads: ${c.file} ${c.where.join(' ')}`, async () => {
    const calls = await select(c);
    const out = join(dir, `${c.file}.${c.where.length}.txt`);
    const r = await exportCalls([join(CAPTURES, c.file)], calls, out);
    assert.equal(r.packets, messages(calls).length);
    const back = (await load(out)).all;
    assert.deepEqual(messages(back, true), messages(calls, true));
    // ASCII messages come back byte for byte.
    const ascii = (cs: Call[]): string[] => cs.flatMap((x) => x.kept!.filter((m) => /^[\x09\x0a\x0d\x20-\x7e]*$/.test(m.msg.raw.toString('latin1')) && !/[^\r]\n/.test(m.msg.raw.toString('latin1'))).map((m) => m.msg.raw.toString('latin1')));
    assert.deepEqual(ascii(back), ascii(calls));
  });
}

function allCallIds(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
  return r.stdout.split(/[\n,]/).filter((l) => l !== '');
}

test('JSON export is show --json per call', async () => {
  const calls = await select(CASES[0]!);
  const out = join(dir, 'calls.json');
  await exportCalls([join(CAPTURES, CASES[0]!.file)], calls, out);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { callId: string; messages: { index: number; raw: string; src: string }[] }[];
  assert.deepEqual(json.map((x) => x.callId), calls.map((x) => x.callId));
  assert.deepEqual(json.map((x) => x.messages.length), calls.map((x) => x.kept!.length));
  assert.equal(json[0]!.messages[0]!.raw, calls[0]!.kept![0]!.msg.raw.toString('utf8'));
});

test('an unknown ending is refused before anything is written', async () => {
  const calls = await select(CASES[0]!);
  await assert.rejects(exportCalls([join(CAPTURES, CASES[0]!.file)], calls, join(dir, 'x.cap')), /must end in \.pcap, \.pcapng, \.txt or \.json/);
  assert.ok(!existsSync(join(dir, 'x.cap')));
});

test('pcap export of stdin is refused (it cannot be read twice)', async () => {
  await assert.rejects(exportCalls(['-'], [], join(dir, 'y.pcap')), /stdin/);
});
