/**
 * The shell's ladder and export commands, through its own dispatcher: the
 * same views as `sipv show --ladder` and `sipv export`.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../../src/cli/shell/commands.js';
import { Session } from '../../src/cli/shell/session.js';
import type { Io } from '../../src/cli/io.js';
import { CAPTURES } from '../helpers/paths.js';

function shell(): { run: (line: string) => Promise<string>; err: () => string } {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => { out += t; }, err: (t) => { err += t; }, errIsTty: false, outIsTty: false, columns: 80 };
  const env = { session: new Session(), io };
  return {
    run: async (line) => {
      out = '';
      await runCommand(env, line);
      return out;
    },
    err: () => err,
  };
}

test('show conversation N ladder and, inside it, show ladder', async () => {
  const s = shell();
  await s.run(`load ${join(CAPTURES, 'NormB-sipnab-sip_call.pcap')}`);
  const ladder = await s.run('show conversation 0 ladder');
  assert.equal(ladder.split('\n').filter((l) => /[─-]>│|│<[─-]/.test(l)).length, 7, ladder);
  assert.match(ladder, /│ 180 Ringing/);
  await s.run('conversation 0');
  assert.equal(await s.run('show ladder'), ladder);
});

test('export FILE writes the filtered calls as text, JSON or pcap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-shell-export-'));
  const s = shell();
  await s.run(`load ${join(CAPTURES, 'irontec-sngrep-aaa.pcap')}`);
  await s.run('filter add dstnum 97239287044');
  assert.match(await s.run(`export ${join(dir, 'calls.json')}`), /^3 conversations \(33 SIP messages\) written to /);
  const json = JSON.parse(readFileSync(join(dir, 'calls.json'), 'utf8')) as { callId: string }[];
  assert.equal(json.length, 3);
  await s.run(`export ${join(dir, 'calls.txt')}`);
  assert.equal(readFileSync(join(dir, 'calls.txt'), 'latin1').split('\n').filter((l) => / IP \S+ > \S+: UDP, length \d+$/.test(l)).length, 33);
  assert.match(await s.run(`export ${join(dir, 'calls.pcap')}`), /^3 conversations \(33 SIP messages, 33 frames\) written to /);
});
