/** `sipv diagnose`: --json shape (SPEC.md), --fail-on exit codes, usage errors, the text report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CAPTURES } from '../helpers/paths.js';
import { regionFromEnv, runDiagnose } from '../../src/cli/commands/diagnose.js';
import { CliError, type Io } from '../../src/cli/io.js';

function io(): Io & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', errIsTty: false, outIsTty: false, columns: 120 } as Io & { stdout: string; stderr: string };
  o.out = (t) => { o.stdout += t; };
  o.err = (t) => { o.stderr += t; };
  return o;
}

const NAT = join(CAPTURES, 'OISF-suricata-verify-sip_compact_form.pcap');
const CLEAN = join(CAPTURES, 'NormB-sipnab-sip_call.pcap');

test('--json prints SPEC.md finding objects', async () => {
  const o = io();
  assert.equal(await runDiagnose([NAT], { json: true }, o), 0);
  const findings = JSON.parse(o.stdout) as Array<Record<string, unknown>>;
  assert.equal(findings.length, 4);
  for (const f of findings) {
    assert.deepEqual(Object.keys(f), ['code', 'severity', 'callId', 'messages', 'summary', 'evidence', 'advice']);
    assert.ok(Array.isArray(f['messages']));
  }
});

test('--fail-on: 1 when a finding at or above the level exists, else 0', async () => {
  assert.equal(await runDiagnose([NAT], { json: true, failOn: 'error' }, io()), 1);
  assert.equal(await runDiagnose([NAT], { json: true, failOn: 'info' }, io()), 1);
  assert.equal(await runDiagnose([CLEAN], { json: true, failOn: 'info' }, io()), 0);
});

test('usage errors and unreadable input exit 2', async () => {
  await assert.rejects(runDiagnose([NAT], { failOn: 'fatal' }, io()), (e: unknown) => e instanceof CliError && e.exitCode === 2);
  await assert.rejects(runDiagnose([NAT], { region: 'XX' }, io()), CliError);
  const o = io();
  assert.equal(await runDiagnose(['/nonexistent.pcap'], { failOn: 'error' }, o), 2);
  assert.match(o.stderr, /^sipv: \/nonexistent\.pcap/);
});

test('the text report groups by severity and call, without colour off a TTY', async () => {
  const o = io();
  await runDiagnose([NAT], {}, o);
  assert.match(o.stdout, /^ERROR \(1\)\n  call 0  105090259-446faf7a@192\.168\.1\.2\n    alg\.malformed/);
  assert.match(o.stdout, /WARNING \(2\)/);
  assert.match(o.stdout, /fix: /);
  assert.match(o.stdout, /4 findings \(1 error, 2 warning, 1 info\) in 1 of 1 calls\n$/);
  assert.doesNotMatch(o.stdout, /\x1b\[/);
});

test('region from the locale: de_DE.UTF-8 → DE; C/POSIX → none', () => {
  assert.equal(regionFromEnv({ LANG: 'de_DE.UTF-8' }), 'DE');
  assert.equal(regionFromEnv({ LANG: 'C.UTF-8' }), undefined);
  assert.equal(regionFromEnv({}), undefined);
});
