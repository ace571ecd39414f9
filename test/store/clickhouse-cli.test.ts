/**
 * The store suite (store-suite.ts) against a real ClickHouse server: Debian's
 * clickhouse-server started privately for this file (see clickhouse-server.ts),
 * one fresh database per store.
 */
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
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

test('clickhouse: a second indexer is refused while one is writing, and runs once it is done', { skip: BIN_MISSING || (typeof server === 'string' ? server : false) }, async () => {
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
  const refused = sipv(['index', second!, '--store', store]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^sipv: another sipv index is writing ClickHouse database \S+ \(box7 pid 4242, seen [^)]+\); indexers take turns/);
  assert.match(out(['calls', '--store', store]), /conversations/);
  await new Promise((r) => setTimeout(r, 1100));
  await insert(0);
  const later = sipv(['index', second!, '--store', store, '--no-findings']);
  assert.equal(later.code, 0, later.stderr);
});
