/** The store suite (store-suite.ts) against embedded DuckDB files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { distinctInputs } from './corpus.js';
import { storeSuite } from './store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'sipv-duckdb-'));
// Both spellings of a DuckDB store: a plain path and duckdb:PATH.
storeSuite('duckdb', (label) => (label === 'split' ? `duckdb:${join(dir, `${label}.duckdb`)}` : join(dir, `${label}.duckdb`)), false);

test('duckdb: a second indexer (or a reader) is refused while one holds the store', { skip: BIN_MISSING }, async () => {
  const path = join(dir, 'busy.duckdb');
  const [first] = distinctInputs();
  assert.equal(sipv(['index', first!, '--store', path, '--no-findings']).code, 0);
  // This process holds the write lock, as a running sipv index does.
  const holder = await DuckDBInstance.create(path);
  try {
    const r = sipv(['index', first!, '--store', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^sipv: store \S+ is busy: another process has it open for writing \(a running sipv index\?\)/);
  } finally {
    holder.closeSync();
  }
});
