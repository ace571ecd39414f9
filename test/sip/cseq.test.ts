import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseCSeq } from '../../src/sip/cseq.js';

test('number and method', () => {
  assert.deepEqual(parseCSeq('4711 INVITE'), { seq: 4711, method: 'INVITE', issues: [] });
  assert.deepEqual(parseCSeq('  1\tREGISTER '), { seq: 1, method: 'REGISTER', issues: [] });
  assert.deepEqual(parseCSeq('0 FOO'), { seq: 0, method: 'FOO', issues: [] });
});

test('malformed CSeq keeps what it can', () => {
  const cases: Array<[string, number, string]> = [
    ['INVITE', NaN, 'INVITE'], ['42', 42, ''], ['42INVITE', 42, 'INVITE'],
    ['2147483648 BYE', 2147483648, 'BYE'], ['1 IN VITE', 1, 'IN VITE'], ['', NaN, ''],
  ];
  for (const [text, seq, method] of cases) {
    const c = parseCSeq(text);
    assert.ok(c.issues.length > 0 && c.issues.every((i) => i.code === 'sip.bad-cseq'), text);
    assert.deepEqual([c.seq, c.method], [seq, method], text);
  }
});
