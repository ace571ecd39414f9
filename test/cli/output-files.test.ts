/**
 * Output files (issue 10): `export -o`, `report -o`, `hep -w`, `capture -w` never
 * replace an existing file without --force (one line, exit 2, file untouched),
 * and write through a temporary file moved into place at the end, so a run that
 * is killed or fails leaves no half-written output under the real name.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../src/cli/io.js';
import { moveIntoPlace, openOutput, tempPathFor, writeOutputFile } from '../../src/cli/output-file.js';
import { sipPcap } from '../helpers/sip-pcap.js';
import { BIN, BIN_MISSING, sipv } from '../helpers/run-cli.js';

const skip = BIN_MISSING;

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'sipv-out-'));
}

function capture(d: string): string {
  const path = join(d, 'in.pcap');
  writeFileSync(path, sipPcap([{ at: 1_700_000_000, from: '10.0.0.1:5060', to: '10.0.0.2:5060',
    text: 'INVITE sip:b@x SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\nFrom: <sip:a@x>;tag=1\nTo: <sip:b@x>\nCall-ID: out@x\nCSeq: 1 INVITE\nContent-Length: 0\n\n' }]));
  return path;
}

const noTemps = (d: string): void => assert.deepEqual(readdirSync(d).filter((f) => f.includes('.part-')), []);

for (const [what, args] of [
  ['export .pcap', (i: string, o: string) => ['export', i, '-o', o + '.pcap']],
  ['export .json', (i: string, o: string) => ['export', i, '-o', o + '.json']],
  ['report', (i: string, o: string) => ['report', i, '-o', o + '.html']],
] as const) {
  test(`${what}: an existing output is kept without --force (exit 2, one line), replaced with it`, { skip }, () => {
    const d = dir();
    const input = capture(d);
    const argv = args(input, join(d, 'out'));
    const out = argv[argv.length - 1]!;
    writeFileSync(out, 'precious');
    const refused = sipv(argv);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `sipv: ${out} exists: give --force to overwrite it\n`);
    assert.equal(readFileSync(out, 'utf8'), 'precious');
    const forced = sipv([...argv, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.notEqual(readFileSync(out, 'utf8'), 'precious');
    noTemps(d);
  });
}

test('export: a new output is written whole, no temporary file left', { skip }, () => {
  const d = dir();
  const r = sipv(['export', capture(d), '-o', join(d, 'new.txt')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(join(d, 'new.txt'), 'utf8'), /Call-ID: out@x/);
  noTemps(d);
});

test('hep -w and capture -w: an existing file is kept without --force', { skip }, () => {
  const d = dir();
  const out = join(d, 'mirror.pcap');
  writeFileSync(out, 'precious');
  const hep = sipv(['hep', '--udp', '127.0.0.1:0', '--duration', '0.1', '-w', out]);
  assert.equal(hep.code, 2);
  assert.equal(hep.stderr, `sipv: ${out} exists: give --force to overwrite it\n`);
  const cap = sipv(['capture', '-i', 'lo', '--duration', '0.1', '-w', out]);
  assert.equal(cap.code, 2);
  assert.equal(cap.stderr, `sipv: ${out} exists: give --force to overwrite it\n`);
  assert.equal(readFileSync(out, 'utf8'), 'precious');
  const forced = sipv(['hep', '--udp', '127.0.0.1:0', '--duration', '0.1', '-w', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readFileSync(out).readUInt32LE(0), 0xa1b2c3d4, 'a pcap replaced the old file');
  noTemps(d);
});

test('hep -w killed mid-run: no file under the real name', { skip }, async () => {
  const d = dir();
  const out = join(d, 'killed.pcap');
  const child = spawn(process.execPath, [BIN, 'hep', '--udp', '127.0.0.1:0', '-w', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve) => child.stderr.on('data', (b: Buffer) => { if (b.toString().includes('listening')) resolve(); }));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(existsSync(out), false);
});

test('openOutput: finish moves the bytes into place; destroy leaves nothing', async () => {
  const d = dir();
  const kept = await openOutput(join(d, 'a.bin'));
  kept.write('hello');
  assert.equal(existsSync(join(d, 'a.bin')), false, 'not under the real name while writing');
  assert.equal(existsSync(tempPathFor(join(d, 'a.bin'))), true);
  await kept.finish();
  assert.equal(readFileSync(join(d, 'a.bin'), 'utf8'), 'hello');
  const dropped = await openOutput(join(d, 'b.bin'));
  dropped.write('half');
  dropped.destroy();
  await new Promise<void>((resolve) => { dropped.once('close', () => resolve()); });
  assert.deepEqual(readdirSync(d), ['a.bin']);
});

test('a file that appears while writing is not replaced without --force', async () => {
  const d = dir();
  const out = join(d, 'race.bin');
  const s = await openOutput(out);
  s.write('ours');
  writeFileSync(out, 'theirs');
  await assert.rejects(s.finish(), (e: unknown) => e instanceof CliError && e.message === `${out} exists: give --force to overwrite it`);
  assert.equal(readFileSync(out, 'utf8'), 'theirs');
  noTemps(d);
  const temp = join(d, 'x.part');
  writeFileSync(temp, 'forced');
  moveIntoPlace(temp, out, { force: true });
  assert.equal(readFileSync(out, 'utf8'), 'forced');
});

test('an output in a missing directory: one clear error, nothing written', () => {
  const d = dir();
  assert.throws(() => writeOutputFile(join(d, 'no', 'such', 'r.html'), 'x'), (e: unknown) => e instanceof CliError && /cannot write: no such directory$/.test(e.message));
});
