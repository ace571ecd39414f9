/**
 * The store's promise, checked through the real binary for one kind of
 * store: after `sipv index`, `calls --store` and `show --store` print byte for
 * byte what `calls FILE...` and `show FILE...` print — whether the files were
 * indexed in one run or several (calls continued across runs are summarised
 * again), and after indexing everything again.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES } from '../helpers/paths.js';
import { spawnSync } from 'node:child_process';
import { BIN_MISSING, sipv, type CliResult } from '../helpers/run-cli.js';
import { distinctInputs } from './corpus.js';

/** stdout of a command that must succeed (exit 0, or 2 when FILE... has damaged inputs). */
export function out(args: string[], allowDamage = false): string {
  const r: CliResult = sipv(args);
  assert.ok(r.code === 0 || (allowDamage && r.code === 2), `sipv ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  return r.stdout;
}

const HAVE_TSHARK = spawnSync('tshark', ['--version']).status === 0;

export const DIAGNOSE_VARIANTS: string[][] = [
  [],
  ['--json'],
  ['--where', 'telnum 1*'],
  ['--where', 'dstnum 8969669 100 6001', '--json'],
  ['--region', 'DE', '--json'],
];

export const CALLS_VARIANTS: string[][] = [
  [],
  ['--json'],
  ['--ndjson', '--sort', 'callid'],
  ['--where', 'has Diversion', '--json'],
  ['--where', 'telnum 1*', '--where', 'ip 10.0.0.0/8', '--condition', 'and'],
  ['--where', 'srcip 192.168.*', '--where', 'has p-asserted-identity'],
  ['--where', 'dstnum 8969669 100 6001'],
];

/** Calls whose show output is compared: first, middle, last and the busiest. */
export function sampleCalls(callsJson: string): { index: number; callId: string }[] {
  const calls = JSON.parse(callsJson) as { index: number; callId: string; messages: number }[];
  const busiest = [...calls].sort((a, b) => b.messages - a.messages).slice(0, 1);
  const spread = [0, 0.5, 1].map((f) => calls[Math.min(calls.length - 1, Math.floor(f * (calls.length - 1)))]!);
  const picked = new Map<number, { index: number; callId: string }>();
  for (const c of [...spread, ...busiest]) picked.set(c.index, c);
  return [...picked.values()];
}

/**
 * The suite for one store kind. `storeUrl(label)` names a fresh, empty store;
 * `skipReason` skips everything (no binary, no server).
 */
export function storeSuite(kind: string, storeUrl: (label: string) => string, skipReason: string | false): void {
  const skip = { skip: BIN_MISSING || skipReason };
  const tmp = mkdtempSync(join(tmpdir(), 'sipv-store-'));
  const files = distinctInputs();
  const oneRun = storeUrl('one');
  const split = storeUrl('split');

  test(`${kind}: index writes every input once and says so`, skip, () => {
    const r = sipv(['index', ...files, '--store', oneRun]);
    assert.ok(r.code === 0 || r.code === 2, r.stderr);
    assert.match(r.stdout, new RegExp(`^indexed ${files.length} file\\(s\\): \\d+ new conversations, 0 continued`));
    // Three runs, the middle one repeating files of the first: a call spread over runs is one call.
    const cut = Math.floor(files.length / 2);
    for (const part of [files.slice(0, cut), files.slice(cut - 3, cut + 10), files.slice(cut)]) {
      const p = sipv(['index', ...part, '--store', split]);
      assert.ok(p.code === 0 || p.code === 2, p.stderr);
    }
  });

  test(`${kind}: calls --store prints what calls FILE... prints (text, JSON, NDJSON, filters)`, skip, () => {
    for (const variant of CALLS_VARIANTS) {
      const expected = out(['calls', ...files, ...variant], true);
      assert.ok(expected.length > 0);
      assert.equal(out(['calls', '--store', oneRun, ...variant]), expected, `one run: calls ${variant.join(' ')}`);
      assert.equal(out(['calls', '--store', split, ...variant]), expected, `three runs: calls ${variant.join(' ')}`);
    }
  });

  test(`${kind}: a call that continues in a later file is one call, summarised over both`, skip, () => {
    // nat-calls.pcap.gz holds the same packets as nat-calls.pcap: read after it, every message is a duplicate.
    const nat = [join(EXAMPLES, 'nat-calls.pcap'), join(EXAMPLES, 'nat-calls.pcap.gz')];
    const store = storeUrl('nat');
    out(['index', nat[0]!, '--store', store]);
    const second = out(['index', nat[1]!, '--store', store]);
    assert.match(second, /^indexed 1 file\(s\): 0 new conversations, [1-9]\d* continued/);
    assert.equal(out(['calls', '--store', store, '--json']), out(['calls', ...nat, '--json']));
    const calls = JSON.parse(out(['calls', '--store', store, '--json'])) as { duplicates: number }[];
    assert.ok(calls.some((c) => c.duplicates > 0), 'the second copy counted as duplicates');
  });

  test(`${kind}: show --store prints what show FILE... prints (list, messages, one message, JSON)`, skip, () => {
    const sample = sampleCalls(out(['calls', '--store', oneRun, '--json']));
    assert.ok(sample.length >= 3);
    for (const { index, callId } of sample) {
      // By Call-ID for the JSON, by index for the text views.
      const cases = [[callId, '--json'], [String(index)], [String(index), '--messages'], [String(index), '--message', '0']];
      for (const [call, ...variant] of cases) {
        const expected = out(['show', ...files, '--call', call!, ...variant], true);
        assert.equal(out(['show', '--store', oneRun, '--call', call!, ...variant]), expected, `show --call ${call} ${variant.join(' ')}`);
        assert.equal(out(['show', '--store', split, '--call', call!, ...variant]), expected, `three runs: show --call ${call} ${variant.join(' ')}`);
      }
    }
  });

  test(`${kind}: diagnose --store prints what diagnose FILE... prints (stored findings, and computed when not stored)`, skip, () => {
    const bare = storeUrl('bare');
    out(['index', ...files, '--store', bare, '--no-findings'], true);
    for (const variant of DIAGNOSE_VARIANTS) {
      const expected = out(['diagnose', ...files, ...variant], true);
      assert.ok(expected.length > 0);
      // Stored findings were computed for no region (none in the test environment): --region DE computes them now.
      if (!variant.includes('--region')) assert.equal(out(['diagnose', '--store', oneRun, ...variant]), expected, `one run: diagnose ${variant.join(' ')}`);
      // Computed now from stored messages (no RTP at hand): equal but for media.one-way judged from RTP.
      const json = variant.includes('--json') ? variant : [...variant, '--json'];
      const noMedia = (text: string): unknown[] => (JSON.parse(text) as { code: string }[]).filter((f) => f.code !== 'media.one-way');
      assert.deepEqual(noMedia(out(['diagnose', '--store', bare, ...json])), noMedia(out(['diagnose', ...files, ...json], true)), `computed: diagnose ${json.join(' ')}`);
    }
  });

  test(`${kind}: a later run judges the calls it touched against everything indexed, and leaves the others' findings`, skip, () => {
    const store = storeUrl('runs');
    const cut = Math.floor(files.length / 2);
    const [first, second] = [files.slice(0, cut), files.slice(cut)];
    out(['index', ...first, '--store', store], true);
    out(['index', ...second, '--store', store], true);
    type F = { callId: string; code: string };
    const json = (args: string[]): F[] => JSON.parse(out(args, true)) as F[];
    const touched = new Set((JSON.parse(out(['calls', ...second, '--json'], true)) as { callId: string }[]).map((c) => c.callId));
    const stored = json(['diagnose', '--store', store, '--json']);
    const expected = [
      ...json(['diagnose', ...first, '--json']).filter((f) => !touched.has(f.callId)),
      ...json(['diagnose', ...first, ...second, '--json']).filter((f) => touched.has(f.callId)),
    ];
    // The same findings; the store lists them by call index, as diagnose FILE... does.
    const key = (f: F): string => JSON.stringify(f);
    assert.ok(stored.some((f) => touched.has(f.callId)) && stored.some((f) => !touched.has(f.callId)), 'findings from both runs');
    assert.deepEqual(stored.map(key).sort(), expected.map(key).sort());
    const order = json(['diagnose', ...first, ...second, '--json']).map((f) => f.callId).filter((id, i, a) => a.indexOf(id) === i);
    assert.deepEqual(stored.map((f) => f.callId).filter((id, i, a) => a.indexOf(id) === i), order.filter((id) => stored.some((f) => f.callId === id)));
  });

  test(`${kind}: export --store writes the .json and .txt export FILE... writes`, skip, () => {
    for (const [ext, variant] of [['json', []], ['txt', ['--where', 'srcip 192.168.*']], ['json', ['--where', 'telnum 1*']]] as [string, string[]][]) {
      const fromFiles = join(tmp, `files-${ext}-${variant.length}.${ext}`);
      const fromStore = join(tmp, `store-${ext}-${variant.length}.${ext}`);
      out(['export', ...files, ...variant, '-o', fromFiles], true);
      out(['export', '--store', oneRun, ...variant, '-o', fromStore]);
      assert.ok(readFileSync(fromFiles).length > 2);
      assert.ok(readFileSync(fromStore).equals(readFileSync(fromFiles)), `export ${variant.join(' ')} -o .${ext}`);
    }
  });

  test(`${kind}: export --store to pcap/pcapng rebuilds frames that read back as the stored calls`, skip, () => {
    const summary = (json: string): string[] => (JSON.parse(json) as Record<string, unknown>[])
      .map((c) => JSON.stringify([c['callId'], c['messages'], c['firstMethod'], c['finalStatus'], c['from'], c['to'], c['start'], c['end'], c['srcIp'], c['dstIp']]))
      .sort();
    const stored = summary(out(['calls', '--store', oneRun, '--json']));
    for (const ext of ['pcap', 'pcapng']) {
      const file = join(tmp, `rebuilt.${ext}`);
      const r = sipv(['export', '--store', oneRun, '-o', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /frames rebuilt from the stored messages\) written to /);
      assert.deepEqual(summary(out(['calls', file, '--json'])), stored, `calls ${ext}`);
      if (HAVE_TSHARK) {
        const t = spawnSync('tshark', ['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
        assert.equal(t.status, 0, t.stderr);
        assert.ok(t.stdout.trim().split('\n').length > stored.length, `tshark sees SIP in the rebuilt ${ext}`);
      }
    }
  });

  test(`${kind}: report --store writes the report of the same calls and findings`, skip, () => {
    const html = join(tmp, 'store-report.html');
    const r = sipv(['report', '--store', oneRun, '--where', 'telnum 1*', '-o', html]);
    assert.equal(r.code, 0, r.stderr);
    const f = sipv(['report', ...files, '--where', 'telnum 1*', '-o', join(tmp, 'files-report.html')]);
    // "N conversations, M findings written to …": the same counts either way.
    const counts = (stderr: string): string => stderr.split('\n').filter((l) => / written to /.test(l))[0]!.replace(/ written to .*/, '');
    assert.match(counts(r.stderr), /^[1-9]\d* conversations, [1-9]\d* findings$/);
    assert.equal(counts(r.stderr), counts(f.stderr));
  });

  test(`${kind}: the shell's load --store gives the session load FILE... gives`, skip, () => {
    const script = 'show conversations';
    const fromStore = sipv(['shell', '-e', `load --store ${oneRun}; ${script}`]);
    assert.equal(fromStore.code, 0, fromStore.stderr);
    const fromFiles = sipv(['shell', '-e', `load ${files.join(' ')}; ${script}`]);
    const tail = (t: string): string => t.slice(t.indexOf('\n') + 1);
    assert.match(fromStore.stdout, /^\d+ conversations \(\d+ SIP messages\) extracted\n/);
    assert.equal(tail(fromStore.stdout), tail(fromFiles.stdout));
  });

  test(`${kind}: index reads stdin (-) and remembers it by content`, skip, () => {
    const store = storeUrl('stdin');
    const file = files.find((f) => f.endsWith('.pcap'))!;
    const r = sipv(['index', '-', '--store', store], { input: readFileSync(file) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^indexed 1 file\(s\): [1-9]\d* new conversations/);
    assert.equal(out(['calls', '--store', store, '--json']), out(['calls', file, '--json']));
    const again = sipv(['index', file, '--store', store]);
    assert.match(again.stderr, /already in the store \(same content\), skipped/);
  });

  test(`${kind}: indexing the same content again changes nothing, under any name`, skip, () => {
    const before = out(['calls', '--store', oneRun, '--json']);
    const renamed = join(tmp, 'copy-of-first.pcap');
    copyFileSync(files[0]!, renamed);
    const r = sipv(['index', ...files, renamed, '--store', oneRun]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^indexed 0 file\(s\): 0 new conversations, 0 continued, 0 SIP messages/);
    assert.match(r.stderr, /copy-of-first\.pcap: already in the store \(same content\), skipped/);
    assert.equal(out(['calls', '--store', oneRun, '--json']), before);
  });

  test(`${kind}: store errors are one line and exit 2`, skip, () => {
    const missing = sipv(['calls', '--store', storeUrl('never-indexed')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^sipv: no (sipv )?store .*\(make one with:? sipv index/);
    const both = sipv(['calls', files[0]!, '--store', oneRun]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);
    const neither = sipv(['calls']);
    assert.equal(neither.code, 2);
    const noCall = sipv(['show', '--store', oneRun, '--call', 'no-such-call-id']);
    assert.equal(noCall.code, 2);
    assert.match(noCall.stderr, /^sipv: no call 'no-such-call-id' \(\d+ calls;/);
    const scheme = sipv(['calls', '--store', 'postgres://x/y']);
    assert.equal(scheme.code, 2);
    assert.match(scheme.stderr, /unknown store 'postgres:'/);
  });
}
