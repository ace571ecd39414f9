/**
 * Contract: every code of SPEC.md's finding-code table is in the registry
 * (STYLE.md principle 12); every registry code SPEC.md does not know is
 * documented in README.md's "Finding codes beyond SPEC.md" table, and that
 * table names only registry codes SPEC.md lacks; every rule emits a
 * registered code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../helpers/paths.js';
import { extensionCodes } from '../contract/spec.js';
import { CODES, REGISTRY } from '../../src/diagnose/registry.js';
import { RULES } from '../../src/diagnose/rules/index.js';

function specCodes(): string[] {
  const spec = readFileSync(join(SHARED, 'SPEC.md'), 'utf8');
  const section = spec.slice(spec.indexOf('## Finding codes'));
  return [...section.matchAll(/^\|\s*`([a-z]+\.[a-z-]+)`\s*\|/gm)].map((m) => m[1]!);
}

/** Codes of README.md's "Finding codes beyond SPEC.md" table (parsed as the contract tests do). */
const readmeCodes = extensionCodes;

test('SPEC.md lists codes (the table parsed)', () => {
  assert.ok(specCodes().length >= 18, `only ${specCodes().length} codes parsed`);
});

test('every SPEC.md code is in the registry', () => {
  assert.deepEqual(specCodes().filter((c) => !(c in REGISTRY)), []);
});

test('README.md lists the codes beyond SPEC.md (the table parsed)', () => {
  assert.ok(readmeCodes().length >= 7, `only ${readmeCodes().length} codes parsed`);
});

test('every registry code is in SPEC.md or in README.md\'s table of codes beyond it', () => {
  const known = new Set([...specCodes(), ...readmeCodes()]);
  assert.deepEqual(CODES.filter((c) => !known.has(c)), []);
});

test('README.md\'s extension table names registry codes only, none of SPEC.md\'s, each once', () => {
  const spec = new Set(specCodes());
  const extra = readmeCodes();
  assert.deepEqual(extra.filter((c) => !(c in REGISTRY) || spec.has(c)), []);
  assert.equal(new Set(extra).size, extra.length);
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
