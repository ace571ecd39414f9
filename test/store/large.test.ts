/**
 * How fast a big store answers, printed rather than asserted (a time limit
 * in a unit test fails on a busy machine, not on slow code). The corpus store
 * is blown up to a million calls with SQL — each call copied under new
 * Call-IDs and indexes, sharing the original messages — then opened cold, and
 * one filtered page, a filtered count, a filtered listing through the real
 * binary and one call's messages are timed.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseClause, type Filter } from '../../src/calls/filter.js';
import { openDuckDbStore } from '../../src/store/duckdb.js';
import { indexFiles } from '../../src/store/indexer.js';
import { storeCallSource } from '../../src/store/source.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { distinctInputs } from './corpus.js';

const TARGET = Number(process.env['SIPV_STORE_BENCH_CALLS'] ?? 1_000_000);

async function blowUp(path: string): Promise<number> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  const base = Number((await conn.runAndReadAll('SELECT count(*) FROM calls')).getRowsJS()[0]![0]);
  const copies = Math.ceil(TARGET / base) - 1;
  await conn.run(`INSERT INTO call_parts SELECT p.idx + k * ${base}, p.run, p.run_call FROM call_parts p, range(1, ${copies + 1}) r(k) ORDER BY k, p.idx`);
  await conn.run(`INSERT INTO calls SELECT idx + k * ${base}, call_id || '~' || k, start_sec, start_nsec, end_sec, end_nsec,
    first_method, from_user, to_user, src_ip, dst_ip, messages, final_status, retransmissions, duplicates, anomalies,
    src_ips, dst_ips, from_numbers, to_numbers, diversion, pai, ppi, header_names
    FROM calls, range(1, ${copies + 1}) r(k) ORDER BY k, idx`);
  await conn.run('CHECKPOINT');
  const total = Number((await conn.runAndReadAll('SELECT count(*) FROM calls')).getRowsJS()[0]![0]);
  conn.closeSync();
  instance.closeSync();
  return total;
}

const ms = (t0: number): string => `${(performance.now() - t0).toFixed(0)} ms`;

test(`a store of ${TARGET} calls: open, filtered page, count, listing and show (timings printed)`, { skip: BIN_MISSING, timeout: 600_000 }, async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sipv-big-')), 'big.duckdb');
  const writer = await openDuckDbStore(path, 'write');
  await indexFiles(distinctInputs(), writer);
  await writer.close();
  let t0 = performance.now();
  const total = await blowUp(path);
  t.diagnostic(`built ${total} calls in ${ms(t0)}`);
  assert.ok(total >= TARGET);

  const filter: Filter = { clauses: [parseClause('dstnum 6001'), parseClause('has Authorization')], condition: 'and' };
  t0 = performance.now();
  const source = await storeCallSource(await openDuckDbStore(path, 'read'));
  const opened = ms(t0);
  t0 = performance.now();
  const pageOf = await source.list({ filter, limit: 50, offset: 100 });
  const pageTime = ms(t0);
  t0 = performance.now();
  const count = await source.count(filter);
  const countTime = ms(t0);
  t0 = performance.now();
  const messages = await source.messages(pageOf[0]!);
  const showTime = ms(t0);
  await source.close();
  assert.equal(pageOf.length, 50);
  assert.ok(messages.length > 0);
  t.diagnostic(`in-process: open ${opened}, page of 50 (dstnum 6001 and has Authorization) ${pageTime}, count ${count} ${countTime}, one call's ${messages.length} messages ${showTime}`);

  t0 = performance.now();
  const listed = sipv(['calls', '--store', path, '--where', 'dstnum 3241636936', '--json']);
  const listTime = ms(t0);
  assert.equal(listed.code, 0, listed.stderr);
  const n = (JSON.parse(listed.stdout) as unknown[]).length;
  t0 = performance.now();
  const shown = sipv(['show', '--store', path, '--call', String(total - 1), '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  t.diagnostic(`binary (process start included): calls --where "dstnum 3241636936" --json → ${n} calls in ${listTime}; show --call ${total - 1} --json ${ms(t0)}`);
});
