import test from 'node:test';
import assert from 'node:assert/strict';
import { ipMatcher } from '../../src/calls/ip-match.js';
import { FilterSyntaxError, parseClause } from '../../src/calls/filter.js';

test('ip values: exact, * prefix, IPv4 and IPv6 CIDR', () => {
  assert.equal(ipMatcher('10.20.0.22')('10.20.0.22'), true);
  assert.equal(ipMatcher('10.20.0.22')('10.20.0.221'), false);
  assert.equal(ipMatcher('192.168.1.*')('192.168.1.77'), true);
  assert.equal(ipMatcher('10.0.0.0/8')('10.255.1.2'), true);
  assert.equal(ipMatcher('10.0.0.0/8')('11.0.0.1'), false);
  assert.equal(ipMatcher('10.20.0.22/32')('10.20.0.22'), true);
  assert.equal(ipMatcher('0.0.0.0/0')('8.8.8.8'), true);
  assert.equal(ipMatcher('2001:db8::/32')('2001:db8:1::5'), true);
  assert.equal(ipMatcher('2001:db8::/32')('2001:db9::5'), false);
  assert.equal(ipMatcher('2001:db8::/32')('10.0.0.1'), false, 'families never mix');
  assert.equal(ipMatcher('2001:DB8::1')('2001:db8::1'), true, 'IPv6 text ignores case');
});

test('a bad CIDR is a filter syntax error when typed', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0/8', 'x/8', '2001:db8::/129', '10.0.0.0/']) {
    assert.throws(() => parseClause(`srcip ${bad}`), FilterSyntaxError, bad);
  }
  assert.deepEqual(parseClause('ip 10.0.0.0/8 ::1').values, ['10.0.0.0/8', '::1']);
});
