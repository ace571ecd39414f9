/**
 * The store suite (store-suite.ts) against a real ClickHouse server: Debian's
 * clickhouse-server started privately for this file (see clickhouse-server.ts),
 * one fresh database per store.
 */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { BIN_MISSING, sipv, sipvAsync } from '../helpers/run-cli.js';
import { startClickHouse, type ClickHouse } from './clickhouse-server.js';
import { distinctInputs } from './corpus.js';
import { out, storeSuite } from './store-suite.js';

const server = await startClickHouse();
const prefix = `sipv_t${process.pid}_`;
if (typeof server !== 'string') after(() => server.stop());
storeSuite(
  'clickhouse',
  (label) => `${typeof server === 'string' ? 'clickhouse://127.0.0.1:1' : server.base}/${prefix}${label.replace(/-/g, '_')}`,
  typeof server === 'string' ? server : false,
);

test('clickhouse: a second indexer waits while another is writing, and runs once it is done', { skip: BIN_MISSING || (typeof server === 'string' ? server : false) }, async () => {
  const ch = server as ClickHouse;
  const db = `${prefix}lock`;
  const store = `${ch.base}/${db}`;
  const [first, second] = distinctInputs();
  assert.equal(sipv(['index', first!, '--store', store, '--no-findings']).code, 0);
  // Another writer, as a running indexer leaves it: a live row refreshed just now.
  const http = ch.base.replace('clickhouse://', 'http://');
  const insert = async (live: number): Promise<void> => {
    const r = await fetch(`${http}/?query=${encodeURIComponent(`INSERT INTO ${db}.writers FORMAT TabSeparated`)}`, {
      method: 'POST', body: `other\tbox7\t4242\t${Math.floor(Date.now() / 1000)}\t${live}\n`,
    });
    assert.equal(r.status, 200, await r.text());
  };
  await insert(1);
  const waiting = sipvAsync(['index', second!, '--store', store, '--no-findings']);
  let exited = false;
  void waiting.done.then(() => { exited = true; });
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(exited, false, 'the second indexer ran while another was writing');
  assert.match(waiting.stderr(), /^sipv: another sipv index is writing ClickHouse database \S+ \(box7 pid 4242, seen [^)]+\): waiting for its turn/);
  assert.match(out(['calls', '--store', store]), /conversations/);
  await new Promise((r) => setTimeout(r, 1100));
  await insert(0);
  const later = await waiting.done;
  assert.equal(later.code, 0, later.stderr);
  assert.match(later.stdout, /^indexed 1 file\(s\)/);
});

test('clickhouse: two capture boxes indexing at once both land, numbered one after the other', { skip: BIN_MISSING || (typeof server === 'string' ? server : false) }, async () => {
  const ch = server as ClickHouse;
  const store = `${ch.base}/${prefix}boxes`;
  const inputs = distinctInputs();
  const [a, b] = [inputs.slice(0, 3), inputs.slice(3, 6)];
  const runs = await Promise.all([sipvAsync(['index', ...a, '--store', store]).done, sipvAsync(['index', ...b, '--store', store]).done]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const summary = (json: string): string[] => (JSON.parse(json) as Record<string, unknown>[])
    .map((c) => JSON.stringify({ ...c, index: undefined })).sort();
  const stored = JSON.parse(out(['calls', '--store', store, '--json'])) as { index: number }[];
  assert.deepEqual(stored.map((c) => c.index), stored.map((_, i) => i), 'indexes 0..n-1, none twice');
  assert.deepEqual(summary(JSON.stringify(stored)), summary(out(['calls', ...a, ...b, '--json'], true)));
});
