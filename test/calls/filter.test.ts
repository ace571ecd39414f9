import test from 'node:test';
import assert from 'node:assert/strict';
import { CallStore } from '../../src/calls/store.js';
import { compileFilter, describeFilter, factsNeeded, FilterSyntaxError, parseClause, type Filter } from '../../src/calls/filter.js';
import { captured, request } from '../helpers/messages.js';

function calls() {
  const store = new CallStore();
  store.add(captured(request('INVITE', { callId: 'c0', from: '+4151509', to: '8969669', extra: ['Diversion: <sip:+49301111@gw>;reason=unconditional'] }), { at: 1, from: '10.20.0.22:5060', to: '10.11.12.13:5060' }));
  store.add(captured(request('INVITE', { callId: 'c1', from: '004151510', to: '8969669', extra: ['P-Asserted-Identity: <tel:+44-20-7946-0000>'] }), { at: 2, from: '192.168.1.5:5060', to: '10.11.12.13:5060' }));
  store.add(captured(request('REGISTER', { callId: 'c2', from: 'alice', to: 'alice', extra: ['P-Preferred-Identity: <sip:1502@pbx>'] }), { at: 3, from: '192.168.1.6:5060', to: '10.11.12.13:5060' }));
  return store.calls();
}

function ids(filter: Filter): string[] {
  return calls().filter(compileFilter(filter)).map((c) => c.callId);
}

test('number filters match on normalised digits, with a trailing * as prefix', () => {
  assert.deepEqual(ids({ clauses: [parseClause('srcnum 4151509')], condition: 'or' }), ['c0']);
  assert.deepEqual(ids({ clauses: [parseClause('srcnum +4151510')], condition: 'or' }), ['c1']);
  assert.deepEqual(ids({ clauses: [parseClause('srcnum 41515*')], condition: 'or' }), ['c0', 'c1']);
  assert.deepEqual(ids({ clauses: [parseClause('dstnum 8969669')], condition: 'or' }), ['c0', 'c1']);
  assert.deepEqual(ids({ clauses: [parseClause('telnum 442079460000')], condition: 'or' }), ['c1']);
  assert.deepEqual(ids({ clauses: [parseClause('diversion 0049301111')], condition: 'or' }), ['c0']);
  assert.deepEqual(ids({ clauses: [parseClause('pai +44 20 7946 0000')], condition: 'or' }), [], 'values are separate words');
  assert.deepEqual(ids({ clauses: [parseClause('pai 442079460000')], condition: 'or' }), ['c1']);
  assert.deepEqual(ids({ clauses: [parseClause('ppi 1502')], condition: 'or' }), ['c2']);
});

test('ip filters and has HEADER (compact names and case ignored)', () => {
  assert.deepEqual(ids({ clauses: [parseClause('srcip 192.168.1.*')], condition: 'or' }), ['c1', 'c2']);
  assert.deepEqual(ids({ clauses: [parseClause('dstip 10.20.0.22')], condition: 'or' }), []);
  assert.deepEqual(ids({ clauses: [parseClause('ip 10.20.0.22')], condition: 'or' }), ['c0']);
  assert.deepEqual(ids({ clauses: [parseClause('has diversion')], condition: 'or' }), ['c0']);
  assert.deepEqual(ids({ clauses: [parseClause('has P-Asserted-Identity')], condition: 'or' }), ['c1']);
  assert.deepEqual(ids({ clauses: [parseClause('has i')], condition: 'or' }).length, 3, 'i is Call-ID');
});

test('conditions combine with or (default) and and', () => {
  const clauses = [parseClause('srcip 192.168.1.*'), parseClause('dstnum 8969669')];
  assert.deepEqual(ids({ clauses, condition: 'or' }), ['c0', 'c1', 'c2']);
  assert.deepEqual(ids({ clauses, condition: 'and' }), ['c1']);
  assert.equal(describeFilter({ clauses, condition: 'and' }), 'srcip 192.168.1.* and dstnum 8969669');
  assert.deepEqual(ids({ clauses: [], condition: 'and' }).length, 3, 'no filter keeps everything');
});

test('bad clauses say what is wrong', () => {
  assert.throws(() => parseClause('srcnumber 1'), (e: unknown) => e instanceof FilterSyntaxError && /unknown filter type 'srcnumber'/.test(e.message));
  assert.throws(() => parseClause('srcip'), /needs a value/);
  assert.throws(() => parseClause('  '), /needs a type/);
});

test('factsNeeded: nothing without a clause, header names only for has', () => {
  const of = (...clauses: string[]) => factsNeeded({ clauses: clauses.map(parseClause), condition: 'or' });
  assert.deepEqual(of(), { facts: false, headerNames: false });
  assert.deepEqual(of('dstnum 26201', 'ip 10.0.0.0/8'), { facts: true, headerNames: false });
  assert.deepEqual(of('srcnum 1', 'has Diversion'), { facts: true, headerNames: true });
});
