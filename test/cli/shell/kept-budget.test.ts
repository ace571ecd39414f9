/**
 * A session over its kept-bytes budget: calls first seen after the budget keep
 * no messages in memory, and `show conversation`, `diagnose` and `export` read
 * them again from the loaded files — the screen is the same as with all kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLimits } from '../../../src/cli/limit-options.js';
import { Session } from '../../../src/cli/shell/session.js';
import { CAPTURES, EXAMPLES } from '../../helpers/paths.js';
import { play } from './transcript.js';

const FILES = [join(EXAMPLES, 'nat-calls.pcap'), join(CAPTURES, 'MichalCab-ISA-real_call.pcap')];

async function both(commands: (dir: string) => string[]): Promise<{ all: string; budget: string; budgetSession: Session; dirs: [string, string] }> {
  const dirs: [string, string] = [mkdtempSync(join(tmpdir(), 'kept-all-')), mkdtempSync(join(tmpdir(), 'kept-budget-'))];
  const load = `load ${FILES.join(' ')}`;
  const all = await play([load, ...commands(dirs[0])]);
  const budgetSession = new Session(defaultLimits(), 3000);
  const budget = await play([load, ...commands(dirs[1])], budgetSession);
  assert.equal(all.errors, 0, all.screen);
  return { all: all.screen.replaceAll(dirs[0], 'DIR'), budget: budget.screen.replaceAll(dirs[1], 'DIR'), budgetSession, dirs };
}

test('calls beyond the budget keep no messages, and every view reads them again', async () => {
  const views = ['show conversation 0', 'show conversation 14', 'show conversation 15', 'show conversation 15 message 2',
    'show conversation 16 messages', 'diagnose', 'diagnose 16'];
  const { all, budget, budgetSession } = await both(() => views);
  const calls = budgetSession.store.calls();
  assert.ok(calls.length >= 16, `${calls.length} calls`);
  // What the session held before the views asked: a few calls' messages, the rest re-read.
  assert.ok(budgetSession.store.keptBytes < 3000 + 1500, `kept ${budgetSession.store.keptBytes} bytes`);
  assert.equal(budget, all);
  assert.match(budget, /INVITE/);
});

test('the budget is what decides: after a load, later calls hold no messages', async () => {
  const session = new Session(defaultLimits(), 3000);
  await play([`load ${FILES.join(' ')}`], session);
  const calls = session.store.calls();
  const without = calls.filter((c) => c.kept === null).length;
  assert.ok(without >= 10 && without < calls.length, `${without} of ${calls.length} calls without messages`);
});

test('export to JSON and pcap from a session over its budget equals the kept session', async () => {
  const { all, budget, dirs } = await both((dir) => [`export ${join(dir, 'calls.json')}`, `export ${join(dir, 'calls.pcap')}`]);
  assert.equal(budget, all);
  assert.deepEqual(readFileSync(join(dirs[1], 'calls.json')), readFileSync(join(dirs[0], 'calls.json')));
  assert.deepEqual(readFileSync(join(dirs[1], 'calls.pcap')), readFileSync(join(dirs[0], 'calls.pcap')));
});

test('a view of a call not held says so when its file has changed or is gone, and the shell goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kept-gone-'));
  const copy = join(dir, 'calls.pcap');
  copyFileSync(FILES[0]!, copy);
  const session = new Session(defaultLimits(), 3000);
  await play([`load ${copy}`], session);
  const notHeld = session.store.calls().find((c) => c.kept === null)!;
  assert.ok(notHeld !== undefined);
  appendFileSync(copy, Buffer.alloc(16));
  const changed = await play([`show conversation ${notHeld.index}`, 'show conversation 0'], session);
  assert.equal(changed.errors, 1);
  assert.match(changed.screen, new RegExp(`% the messages of conversation ${notHeld.index} are not held in memory \\(the shell keeps 3\\.0 kB of messages\\) and \\S+calls\\.pcap has changed since it was loaded: load it again`));
  assert.match(changed.screen, /\[0\] .* INVITE|REGISTER/, 'a held call still shows');
  rmSync(copy);
  const gone = await play([`show conversation ${notHeld.index}`], session);
  assert.match(gone.screen, /calls\.pcap is gone since it was loaded: load it again/);
});
