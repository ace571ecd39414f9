/** The store suite (store-suite.ts) against embedded DuckDB files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeSuite } from './store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'sipv-duckdb-'));
// Both spellings of a DuckDB store: a plain path and duckdb:PATH.
storeSuite('duckdb', (label) => (label === 'split' ? `duckdb:${join(dir, `${label}.duckdb`)}` : join(dir, `${label}.duckdb`)), false);
