/**
 * A session over its kept-bytes budget: calls first seen after the budget keep
 * no messages in memory, and `show conversation`, `diagnose` and `export` read
 * them again from the loaded files — the screen is the same as with all kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
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
