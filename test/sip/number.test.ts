import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { callParty, normaliseNumber, partyNumber } from '../../src/sip/number.js';
import { parseSipMessage } from '../../src/sip/parse.js';
import { sipRequest } from '../helpers/sip-builders.js';

test('the same number written many ways normalises to the same digits', () => {
  for (const s of ['+49 (30) 1234-56', '0049301234 56', '+49.30.123456', 'tel:+49-30-123456', 'sip:+4930123456@gw.example.com;user=phone',
    '+49%2030%20123456', 'sips:004930123456@x', '<sip:+4930123456;npdi@gw>', 'tel:+49-30-123456;phone-context=+49']) {
    assert.equal(normaliseNumber(s), '4930123456', s);
  }
});

test('national numbers keep their digits; * and # are dialable', () => {
  assert.equal(normaliseNumber('030 1234'), '0301234');
  assert.equal(normaliseNumber('*31#0800'), '*31#0800');
  assert.equal(normaliseNumber('tel:7042;phone-context=example.com'), '7042');
});

test('names are not numbers: returned as-is', () => {
  assert.equal(normaliseNumber('alice'), 'alice');
  assert.equal(normaliseNumber('sip:alice@example.com'), 'alice');
  assert.equal(normaliseNumber('+49abc'), '+49abc');
  assert.equal(normaliseNumber('sip:example.com'), '');
  assert.equal(normaliseNumber(''), '');
});

test('partyNumber and callParty read From/To', () => {
  assert.equal(partyNumber('"Caller" <sip:+1-555-0100@example.com>;tag=x'), '15550100');
  const m = parseSipMessage(sipRequest({ headers: [
    ['Via', 'SIP/2.0/UDP h'], ['f', '<tel:+44-20-7946-0000>;tag=1'], ['t', 'sip:bob@example.com'], ['i', 'c'], ['CSeq', '1 INVITE'],
  ] }));
  assert.ok(m);
  assert.equal(callParty(m, 'from'), '442079460000');
  assert.equal(callParty(m, 'to'), 'bob');
  const none = parseSipMessage(sipRequest({ headers: [['Call-ID', 'x']] }));
  assert.ok(none);
  assert.equal(callParty(none, 'from'), undefined);
});
