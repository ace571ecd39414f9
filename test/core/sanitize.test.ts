import test from 'node:test';
import assert from 'node:assert/strict';
import { safeBlock, safeInline } from '../../src/core/sanitize.js';
import { toIso, compareTime } from '../../src/core/time.js';

test('escape sequences from payloads cannot reach the terminal', () => {
  const hostile = 'From: \x1b[2J\x1b]0;pwned\x07<sip:a@b>\u202e\x9b31m';
  const line = safeInline(hostile);
  assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u202e]/);
  assert.equal(line, 'From: \\x1b[2J\\x1b]0;pwned\\x07<sip:a@b>\\u202e\\x9b31m');
  assert.equal(safeInline('a\r\nb'), 'a\\x0d\\x0ab');
});

test('blocks keep their lines and tabs but nothing else', () => {
  assert.equal(safeBlock('INVITE x SIP/2.0\r\nSubject:\tA\x1b[31m\r\n'), 'INVITE x SIP/2.0\nSubject:\tA\\x1b[31m\n');
  assert.equal(safeBlock('a\rb'), 'a\\rb');
});

test('timestamps are absolute ISO 8601 UTC with microseconds (nanoseconds when present)', () => {
  assert.equal(toIso({ sec: 1523893770, nsec: 333525000 }), '2018-04-16T15:49:30.333525Z');
  assert.equal(toIso({ sec: 1523893770, nsec: 333525001 }), '2018-04-16T15:49:30.333525001Z');
  assert.equal(toIso({ sec: 0, nsec: 0 }), '1970-01-01T00:00:00.000000Z');
  assert.ok(compareTime({ sec: 86400, nsec: 0 }, { sec: 86399, nsec: 999999999 }) > 0, 'after midnight sorts after');
});
