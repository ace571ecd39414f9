/**
 * Contract: SPEC.md's finding-code table and the registry hold the same codes
 * (STYLE.md principle 12), and every rule emits a registered code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../helpers/paths.js';
import { CODES, REGISTRY } from '../../src/diagnose/registry.js';
import { RULES } from '../../src/diagnose/rules/index.js';

function specCodes(): string[] {
  const spec = readFileSync(join(SHARED, 'SPEC.md'), 'utf8');
  const section = spec.slice(spec.indexOf('## Finding codes'));
  return [...section.matchAll(/^\|\s*`([a-z]+\.[a-z-]+)`\s*\|/gm)].map((m) => m[1]!);
}

test('SPEC.md lists codes (the table parsed)', () => {
  assert.ok(specCodes().length >= 18, `only ${specCodes().length} codes parsed`);
});

test('every SPEC.md code is in the registry', () => {
  assert.deepEqual(specCodes().filter((c) => !(c in REGISTRY)), []);
});

test('every registry code is in SPEC.md', () => {
  const spec = new Set(specCodes());
  assert.deepEqual(CODES.filter((c) => !spec.has(c)), []);
});

test('every registry entry has a severity, a title and one sentence of advice', () => {
  for (const code of CODES) {
    const info = REGISTRY[code];
    assert.ok(['info', 'warning', 'error'].includes(info.severity), code);
    assert.ok(info.title.length > 5, code);
    assert.match(info.advice, /^[A-Z].*\.$/, code);
  }
});

test('rules use registered codes, one rule per code', () => {
  const seen = RULES.map((r) => r.code);
  for (const c of seen) assert.ok(c in REGISTRY, c);
  assert.equal(new Set(seen).size, seen.length);
});
