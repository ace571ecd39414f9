/**
 * Start-up stays light (issue 12: `sipv calls` on a tiny file < 300 ms): listing
 * calls from a file loads neither the diagnosis, nor the database clients, nor
 * the phone-number library — commands and their heavy imports load lazily.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, REPO } from '../helpers/paths.js';
import { BIN, BIN_MISSING } from '../helpers/run-cli.js';

function modulesLoaded(args: string[]): string[] {
  const log = join(mkdtempSync(join(tmpdir(), 'sipv-modules-')), 'modules.txt');
  const r = spawnSync(process.execPath, ['--import', join(REPO, 'test', 'helpers', 'module-log.mjs'), BIN, ...args], {
    env: { ...process.env, MODULE_LOG: log }, encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(log, 'utf8').trim().split('\n');
}

test('sipv calls FILE loads no diagnosis, store client or phone-number code', { skip: BIN_MISSING }, () => {
  const loaded = modulesLoaded(['calls', join(EXAMPLES, 'basic-call.pcap')]);
  assert.ok(loaded.some((u) => u.endsWith('/cli/commands/calls.js')), 'the log works: calls.js is in it');
  const heavy = loaded.filter((u) => /\/diagnose\/|\/store\/(duckdb|clickhouse|findings|indexer)\.js|libphonenumber|@duckdb|@clickhouse/.test(u));
  assert.deepEqual(heavy, []);
});

test('sipv --version loads no command module', { skip: BIN_MISSING }, () => {
  const loaded = modulesLoaded(['--version']);
  assert.deepEqual(loaded.filter((u) => u.includes('/cli/commands/')), []);
});
