/** CallIdTable: lookups by string and by bytes agree, removal, growth past many rebuilds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallIdTable, isAscii } from '../../src/calls/call-id-table.js';

function table(): { ids: (string | undefined)[]; t: CallIdTable } {
  const ids: (string | undefined)[] = [];
  return { ids, t: new CallIdTable((i) => ids[i]) };
}

test('finds 50 000 Call-IDs by string and by bytes after growing', () => {
  const { ids, t } = table();
  for (let i = 0; i < 50_000; i++) {
    ids.push(`${i.toString(36)}-call@10.0.0.${i % 255}`);
    t.add(ids[i]!, i);
  }
  for (let i = 0; i < 50_000; i += 7) {
    assert.equal(t.find(ids[i]!), i);
    const bytes = Buffer.from(`xx${ids[i]}yy`);
    assert.equal(t.findBytes(bytes, 2, bytes.length - 2), i);
  }
  assert.equal(t.find('nope@x'), -1);
  assert.equal(t.findBytes(Buffer.from('nope@x'), 0, 6), -1);
});

test('a removed call is not found; a new call under the same Call-ID is', () => {
  const { ids, t } = table();
  ids.push('a@x', 'b@x');
  t.add('a@x', 0);
  t.add('b@x', 1);
  ids[0] = undefined;
  t.remove('a@x', 0);
  assert.equal(t.find('a@x'), -1);
  assert.equal(t.find('b@x'), 1);
  ids.push('a@x');
  t.add('a@x', 2);
  assert.equal(t.find('a@x'), 2);
});

test('removals keep the table bounded: tombstones are dropped when it rebuilds', () => {
  const { ids, t } = table();
  for (let i = 0; i < 100_000; i++) {
    ids.push(`c${i}`);
    t.add(ids[i]!, i);
    if (i >= 10) { t.remove(ids[i - 10]!, i - 10); ids[i - 10] = undefined; }
  }
  const size = (t as unknown as { slots: Int32Array }).slots.length;
  assert.ok(size <= 1 << 12, `table grew to ${size} slots for 10 live calls`);
  for (let i = 99_990; i < 100_000; i++) assert.equal(t.find(`c${i}`), i);
});

test('the empty Call-ID and non-ASCII Call-IDs (looked up as strings)', () => {
  const { ids, t } = table();
  ids.push('', 'ünï@x');
  t.add('', 0);
  t.add('ünï@x', 1);
  assert.equal(t.find(''), 0);
  assert.equal(t.find('ünï@x'), 1);
  assert.equal(isAscii(Buffer.from('ünï@x'), 0, 7), false);
  assert.equal(isAscii(Buffer.from('abc@x'), 0, 5), true);
});
