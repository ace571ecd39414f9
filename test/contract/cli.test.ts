/**
 * Contract (STYLE.md principle 12), the process side: the commands SPEC.md
 * lists are in `sipv --help` and each shows examples in its own `--help`;
 * exit codes 0/1/2 per SPEC's "Exit codes" (`--fail-on` of diagnose and
 * compare, usage errors, unreadable input); error lines `sipv: <file>:<where>: <what>`.
 *
 * A SPEC command the binary does not have yet (the probe is being built in
 * parallel) is skipped with a reason, not passed: the test turns on by itself
 * once `sipv COMMAND --help` answers with that command's usage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURES, EXAMPLES, FIXTURES } from '../helpers/paths.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { SPEC, specCommands } from './spec.js';

const LAB = join(FIXTURES, 'lab');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The command exists when its --help is its own usage, not the top-level one. */
function exists(cmd: string): boolean {
  const r = sipv([...cmd.split(' '), '--help']);
  return r.code === 0 && new RegExp(`^Usage: sipv ${esc(cmd)}\\b`, 'm').test(r.stdout);
}

/**
 * SPEC.md: one line `sipv: <file>:<where>: <what>` per problem with the input (a whole-file
 * failure has no place inside the file to name). Status lines (`… written to o.pcap`) and
 * what follows from the error (`show`: no such call) may come after it.
 */
function errorLines(stderr: string, file: string): string[] {
  const lines = stderr.split('\n').filter((l) => l !== '');
  assert.ok(lines.length > 0, 'an error line');
  for (const l of lines.filter((x) => x.startsWith('sipv: ') && x.includes(file))) assert.match(l, new RegExp(`^sipv: ${esc(file)}(:[^:]+)?: \\S`), l);
  assert.match(lines[0]!, new RegExp(`^sipv: ${esc(file)}(:[^:]+)?: \\S`), lines[0]);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  return lines;
}

test('SPEC.md lists the commands (the Commands block parsed)', () => {
  const cmds = specCommands();
  for (const c of ['shell', 'calls', 'show', 'diagnose', 'compare', 'export', 'report', 'capture', 'hep', 'probe alg', 'probe mirror', 'index']) {
    assert.ok(cmds.includes(c), `${c} not parsed from SPEC.md: ${cmds.join(', ')}`);
  }
});

const help = BIN_MISSING ? '' : sipv(['--help']).stdout;
for (const cmd of specCommands()) {
  const missing = BIN_MISSING || (!exists(cmd) && `SPEC.md lists "sipv ${cmd}" but the binary has no such command yet`);
  test(`sipv --help lists "${cmd}" and sipv ${cmd} --help shows examples`, { skip: missing }, () => {
    assert.match(help, new RegExp(`^  ${esc(cmd.split(' ')[0]!)} `, 'm'));
    const r = sipv([...cmd.split(' '), '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Examples:\n {2}(sudo )?sipv /m);
    // Every --json / option SPEC names for the command is offered.
    const line = new RegExp(`^sipv ${esc(cmd)} (.*)$`, 'm').exec(SPEC)?.[1] ?? '';
    for (const opt of line.match(/--[a-z-]+|(?<=\[)-[a-zA-Z]\b/g) ?? []) assert.match(r.stdout, new RegExp(`(^|[ ,])${esc(opt)}\\b`, 'm'), `${cmd} --help has no ${opt}`);
  });
}

test('diagnose --fail-on: 1 at or above the level, 0 below it, 2 for an unknown level', { skip: BIN_MISSING }, () => {
  const nat = join(CAPTURES, 'OISF-suricata-verify-sip_compact_form.pcap');
  const findings = JSON.parse(sipv(['diagnose', nat, '--json']).stdout) as { severity: string }[];
  const worst = ['error', 'warning', 'info'].find((l) => findings.some((f) => f.severity === l));
  assert.ok(worst, 'the capture has findings');
  assert.equal(sipv(['diagnose', nat, '--fail-on', 'info']).code, 1);
  assert.equal(sipv(['diagnose', nat, '--fail-on', worst]).code, 1);
  if (worst !== 'error') assert.equal(sipv(['diagnose', nat, '--fail-on', 'error']).code, 0);
  assert.equal(sipv(['diagnose', nat]).code, 0, 'without --fail-on findings are no failure');
  assert.equal(sipv(['diagnose', join(LAB, 'register-off-lan.pcap'), '--fail-on', 'info', '--json']).code, 0);
  const bad = sipv(['diagnose', nat, '--fail-on', 'fatal']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^sipv: .*fatal/);
});

test('compare --fail-on: 1 when an ALG rewrote SIP, 0 for NAT only, with --json too', { skip: BIN_MISSING }, () => {
  const pair = (s: string) => [join(LAB, `${s}-lan.pcap`), join(LAB, `${s}-wan.pcap`)];
  assert.equal(sipv(['compare', ...pair('invite-on'), '--fail-on']).code, 1);
  assert.equal(sipv(['compare', ...pair('invite-on'), '--json', '--fail-on']).code, 1);
  assert.equal(sipv(['compare', ...pair('invite-off'), '--fail-on']).code, 0);
  assert.equal(sipv(['compare', ...pair('invite-on')]).code, 0, 'without --fail-on an ALG is a finding, not a failure');
  assert.equal(sipv(['compare', pair('invite-on')[0]!]).code, 2, 'one capture is a usage error');
});

test('usage errors exit 2 with one sipv: line', { skip: BIN_MISSING }, () => {
  for (const args of [['calls'], ['calls', '--bogus'], ['frobnicate'], ['calls', join(EXAMPLES, 'basic-call.pcap'), '--sort', 'sideways'], ['export', join(EXAMPLES, 'basic-call.pcap'), '-o', '/tmp/x.docx']]) {
    const r = sipv(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^sipv: \S/, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('unreadable input: exit 2, `sipv: FILE[:WHERE]: WHAT`, for every reading command; good messages still printed', { skip: BIN_MISSING }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-contract-'));
  try {
    const missing = join(dir, 'missing.pcap');
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, readFileSync(join(EXAMPLES, 'nat-calls.pcap')).subarray(0, 10000));
    for (const args of [['calls'], ['calls', '--json'], ['show', '--call', '0'], ['diagnose', '--json'], ['export', '-o', join(dir, 'o.pcap'), '--force'], ['report', '-o', join(dir, 'o.html'), '--force'], ['index', '--store', join(dir, 's.duckdb')]]) {
      const [cmd, ...opts] = args;
      const r = sipv([cmd!, missing, ...opts]);
      assert.equal(r.code, 2, `${cmd} missing file`);
      assert.match(errorLines(r.stderr, missing)[0]!, /does not exist/);
      const c = sipv([cmd!, cut, ...opts]);
      assert.equal(c.code, 2, `${cmd} truncated file`);
      const lines = errorLines(c.stderr, cut);
      assert.ok(lines.some((l) => new RegExp(`^sipv: ${esc(cut)}:offset \\d+: `).test(l)), `${cmd}: the place of the damage: ${c.stderr}`);
    }
    const partial = sipv(['calls', cut, '--json']);
    assert.ok((JSON.parse(partial.stdout) as unknown[]).length >= 10, 'messages before the cut are kept');
    const cmp = sipv(['compare', join(LAB, 'invite-on-lan.pcap'), missing]);
    assert.equal(cmp.code, 2);
    errorLines(cmp.stderr, missing);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('warnings on real corpus input keep the same line form', { skip: BIN_MISSING }, () => {
  const file = join(CAPTURES, 'aboutsip-pkts-cool.pcap');
  const r = sipv(['calls', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(errorLines(r.stderr, file).length > 0, 'this capture has decode warnings');
});
