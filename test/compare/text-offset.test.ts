/**
 * Issue 5: `sipv compare` when one side was captured on another machine —
 * its clock 37.5 s off, other traffic mixed in, and read back from a
 * `tcpdump -nn -tttt -A` text dump rather than a pcap. Built from the
 * committed lab captures with the real tools (editcap -t, mergecap with a
 * corpus capture, tcpdump -r), then held against compare of the plain
 * pcaps: the same verdict, the same pairs with the same changes, the same
 * findings; the unrelated traffic only listed, and the offset measured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { CAPTURES, FIXTURES } from '../helpers/paths.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const LAB = join(FIXTURES, 'lab');
/** Ethernet like the lab captures, SIP between other hosts (10.0.0.x): nothing to pair with. */
const OTHER = join(CAPTURES, 'NormB-sipnab-sip_call.pcap');
const SHIFT_S = 37.5;

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['editcap', 'mergecap', 'tcpdump'].filter((c) => !have(c));
const skip = BIN_MISSING || (missing.length > 0 && `needs ${missing.join(', ')} (tshark/wireshark-common and tcpdump)`);
const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'sipv-offset-'));
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function run(cmd: string, args: string[], env: Record<string, string> = {}): Buffer {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr?.toString()}`);
  return r.stdout;
}

/** The capture as "another machine" would have it: clock shifted, other traffic merged in, as tcpdump text. */
function fromAnotherMachine(pcap: string, shift: number, name: string): string {
  const shifted = join(dir, `${name}-shifted.pcap`), merged = join(dir, `${name}-merged.pcap`), text = join(dir, `${name}.txt`);
  run('editcap', ['-t', String(shift), pcap, shifted]);
  run('mergecap', ['-F', 'pcap', '-w', merged, shifted, OTHER]);
  // -tttt prints local time: pin the zone, as the other machine's would be.
  writeFileSync(text, run('tcpdump', ['-nn', '-tttt', '-A', '-r', merged], { TZ: 'UTC' }));
  return text;
}

interface Result {
  verdict: string; clockOffsetNs: number; onlyBefore: number[]; onlyAfter: number[];
  pairs: { callId: string; label: string; match: string; changes: unknown[] }[];
  findings: { code: string; callId: string; messages: number[]; evidence: { side?: string } }[];
}

function compare(b: string, a: string): Result {
  const r = sipv(['compare', b, a, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Result;
}

const pairs = (r: Result) => r.pairs.map((p) => ({ callId: p.callId, label: p.label, match: p.match, changes: p.changes }));
const codes = (r: Result) => r.findings.map((f) => `${f.code} ${f.callId}`);

for (const s of ['invite-on', 'register-off', 'samemedia-on', 'timeout-off']) {
  test(`${s}: AFTER as tcpdump text from a machine ${SHIFT_S} s off, with other traffic — same verdict, pairs and findings`, { skip }, () => {
    const lan = join(LAB, `${s}-lan.pcap`), wan = join(LAB, `${s}-wan.pcap`);
    const plain = compare(lan, wan);
    const other = compare(lan, fromAnotherMachine(wan, SHIFT_S, `${s}-wan`));
    assert.equal(other.verdict, plain.verdict);
    assert.deepEqual(pairs(other), pairs(plain));
    assert.deepEqual(codes(other), codes(plain));
    // BEFORE is untouched, so findings about it keep their indexes.
    for (const [i, f] of other.findings.entries()) if ((f.evidence.side ?? 'before') === 'before') assert.deepEqual(f.messages, plain.findings[i]!.messages, f.code);
    assert.deepEqual(other.onlyBefore, plain.onlyBefore);
    // The merged capture's own messages (7 in NormB's call) are listed as AFTER-only, nothing more.
    assert.equal(other.onlyAfter.length, plain.onlyAfter.length + 7);
    assert.ok(Math.abs(other.clockOffsetNs - plain.clockOffsetNs - SHIFT_S * 1e9) < 1e6, `offset ${other.clockOffsetNs} ns`);
  });
}

test(`invite-on: BEFORE as tcpdump text ${SHIFT_S} s behind, with other traffic — the same`, { skip }, () => {
  const lan = join(LAB, 'invite-on-lan.pcap'), wan = join(LAB, 'invite-on-wan.pcap');
  const plain = compare(lan, wan);
  const other = compare(fromAnotherMachine(lan, -SHIFT_S, 'invite-on-lan'), wan);
  assert.equal(other.verdict, 'alg');
  assert.deepEqual(pairs(other), pairs(plain));
  assert.deepEqual(codes(other), codes(plain));
  assert.equal(other.onlyBefore.length, 7);
  assert.deepEqual(other.onlyAfter, []);
  assert.ok(Math.abs(other.clockOffsetNs - plain.clockOffsetNs - SHIFT_S * 1e9) < 1e6, `offset ${other.clockOffsetNs} ns`);
});
