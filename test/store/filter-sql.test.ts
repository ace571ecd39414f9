/**
 * The filter language compiled to SQL answers exactly as the in-memory
 * predicate: every filter built from the values the corpus really holds
 * (numbers and their prefixes, addresses, address prefixes and CIDR blocks,
 * header names in any spelling, `and`/`or`), on a DuckDB store of the corpus
 * against a CallStore over the same files. Also the URL forms and the quoting
 * the ClickHouse store relies on.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallStore } from '../../src/calls/store.js';
import { parseClause, type Filter } from '../../src/calls/filter.js';
import { loadInputs } from '../../src/ingest/load.js';
import { openDuckDbStore } from '../../src/store/duckdb.js';
import { indexFiles } from '../../src/store/indexer.js';
import { memoryCallSource, storeCallSource, type CallSource } from '../../src/store/source.js';
import { parseStoreUrl } from '../../src/store/url.js';
import { bindLiterals, clickhouseDialect, literal } from '../../src/store/clickhouse.js';
import { filterToSql } from '../../src/store/filter-sql.js';
import { distinctInputs } from './corpus.js';

const files = distinctInputs();

function filtersFrom(calls: Awaited<ReturnType<CallSource['list']>>): Filter[] {
  const clauses = new Set<string>();
  for (const c of calls.filter((_, i) => i % 23 === 0)) {
    const f = c.facts;
    for (const n of f.fromNumbers.slice(0, 1)) { clauses.add(`srcnum ${n}`); clauses.add(`telnum ${n.slice(0, 3)}*`); }
    for (const n of f.toNumbers.slice(0, 1)) { clauses.add(`dstnum ${n}`); clauses.add(`dstnum +${n}`); }
    for (const n of f.diversion) clauses.add(`diversion ${n}`);
    for (const n of f.pai) clauses.add(`pai ${n.slice(0, 4)}*`);
    for (const n of f.ppi) clauses.add(`ppi ${n}`);
    for (const ip of f.srcIps.slice(0, 1)) { clauses.add(`srcip ${ip}`); clauses.add(`ip ${ip.split(/[.:]/)[0]}.*`); }
    for (const ip of f.dstIps.slice(0, 1)) clauses.add(`dstip ${ip.toUpperCase()}`);
  }
  for (const extra of ['ip 10.0.0.0/8', 'srcip 192.168.0.0/16 172.16.0.0/12', 'ip 2001:db8::/32', 'has Diversion', 'has f',
    'has P-ASSERTED-IDENTITY', 'has x-no-such-header', 'telnum *', 'srcnum 0041*', 'ip 127.0.0.1 ::1']) clauses.add(extra);
  const list = [...clauses].map(parseClause);
  const filters: Filter[] = list.map((c) => ({ clauses: [c], condition: 'or' }));
  for (let i = 0; i + 1 < list.length; i += 2) {
    filters.push({ clauses: [list[i]!, list[i + 1]!], condition: 'and' });
    filters.push({ clauses: [list[i]!, list[(i * 7 + 3) % list.length]!], condition: 'or' });
  }
  return filters;
}

test('SQL filters on a DuckDB store select the same calls as the in-memory predicate', async () => {
  const memory = new CallStore();
  await loadInputs(files, memory);
  const path = join(mkdtempSync(join(tmpdir(), 'sipv-filter-')), 'corpus.duckdb');
  const writer = await openDuckDbStore(path, 'write');
  await indexFiles(files, writer);
  await writer.close();
  const stored = await storeCallSource(await openDuckDbStore(path, 'read'));
  const inMemory = memoryCallSource(memory);
  assert.equal(stored.totalCalls, inMemory.totalCalls);
  assert.equal(stored.totalMessages, inMemory.totalMessages);
  const filters = filtersFrom(await inMemory.list());
  assert.ok(filters.length > 40, `${filters.length} filters`);
  let nonEmpty = 0;
  for (const filter of filters) {
    const want = (await inMemory.list({ filter })).map((c) => c.index);
    const got = (await stored.list({ filter })).map((c) => c.index);
    assert.deepEqual(got, want, JSON.stringify(filter));
    assert.equal(await stored.count(filter), want.length, `count ${JSON.stringify(filter)}`);
    const page = (await stored.list({ filter, limit: 5, offset: 2 })).map((c) => c.index);
    assert.deepEqual(page, want.slice(2, 7), `page ${JSON.stringify(filter)}`);
    if (want.length > 0) nonEmpty++;
  }
  assert.ok(nonEmpty > filters.length / 2, `${nonEmpty} of ${filters.length} filters select something`);
  await stored.close();
});

test('store URLs', () => {
  assert.deepEqual(parseStoreUrl('calls.duckdb'), { kind: 'duckdb', path: 'calls.duckdb' });
  assert.deepEqual(parseStoreUrl('duckdb:/var/x.duckdb'), { kind: 'duckdb', path: '/var/x.duckdb' });
  assert.deepEqual(parseStoreUrl('duckdb:///var/x.duckdb'), { kind: 'duckdb', path: '/var/x.duckdb' });
  assert.deepEqual(parseStoreUrl('clickhouse://ch1/sipv'), { kind: 'clickhouse', url: 'http://ch1:8123', database: 'sipv' });
  assert.deepEqual(parseStoreUrl('clickhouse://u:p%40@ch1:9999/db'), { kind: 'clickhouse', url: 'http://ch1:9999', database: 'db', username: 'u', password: 'p@' });
  assert.throws(() => parseStoreUrl('clickhouse://ch1/bad-name;drop'), /not a ClickHouse database name/);
  assert.throws(() => parseStoreUrl('mysql://x/y'), /unknown store/);
});

test('ClickHouse literals: user values cannot leave the quotes', () => {
  assert.equal(literal("a'b\\c"), "'a\\'b\\\\c'");
  assert.equal(literal('x\ny\0'), "'x\\x0ay\\x00'");
  const sql = filterToSql({ clauses: [parseClause("srcnum 1' OR 1=1 --")], condition: 'or' }, clickhouseDialect);
  // Values are split on spaces: four values, each one quoted literal.
  assert.equal(bindLiterals(sql), "((has(from_numbers, '1\\'')) OR (has(from_numbers, 'OR')) OR (has(from_numbers, '1=1')) OR (has(from_numbers, '--')))");
});
