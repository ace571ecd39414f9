/** TransactionLog: per-call lists in one pool, entries reused after release. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionLog } from '../../src/calls/transaction-log.js';

test('each list finds its own keys and times, across many chunks', () => {
  const log = new TransactionLog();
  const heads = new Array<number>(20_000).fill(0);
  for (let round = 0; round < 5; round++) {
    for (let c = 0; c < heads.length; c++) heads[c] = log.add(heads[c]!, c * 10 + round, c + round / 10);
  }
  for (let c = 0; c < heads.length; c += 997) {
    for (let round = 0; round < 5; round++) {
      const e = log.find(heads[c]!, c * 10 + round);
      assert.notEqual(e, 0);
      assert.equal(log.time(e), c + round / 10);
    }
    assert.equal(log.find(heads[c]!, -1), 0);
  }
  const e = log.find(heads[3]!, 32);
  log.setTime(e, 99.5);
  assert.equal(log.time(log.find(heads[3]!, 32)), 99.5);
});

test('released entries are reused before the pool grows', () => {
  const log = new TransactionLog();
  let head = 0;
  for (let i = 0; i < 1000; i++) head = log.add(head, i, i);
  const used = (log as unknown as { used: number }).used;
  log.release(head);
  let other = 0;
  for (let i = 0; i < 1000; i++) other = log.add(other, i + 5000, i);
  assert.equal((log as unknown as { used: number }).used, used);
  assert.equal(log.time(log.find(other, 5999)), 999);
  assert.equal(log.find(other, 10), 0);
});
