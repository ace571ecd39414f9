/**
 * SPEC.md read as data, so the contract tests check the implementation against
 * the contract itself rather than against a copy of it (STYLE.md principle 12).
 *
 * - `specCommands()`: the command words of the "## Commands" block (`calls`, `probe alg`, …).
 * - `specShape(cmd)`: the JSON example after "`CMD --json` prints", parsed from SPEC's
 *   pseudo-JSON into a shape: `…` is any value, `"a"|"b"` a closed set of strings,
 *   `"x"|null` a nullable string, `IDX` an index (integer ≥ 0), `[IDX…]` a list of them.
 * - `check(shape, value)`: every key the shape shows is present with the right type;
 *   extra keys are allowed (SPEC.md: shapes may only grow).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SHARED } from '../helpers/paths.js';

export const SPEC = readFileSync(join(SHARED, 'SPEC.md'), 'utf8');

export type Shape =
  | { t: 'any' }
  | { t: 'string'; oneOf?: string[]; format?: 'time' | 'endpoint' }
  | { t: 'number'; index?: boolean }
  | { t: 'null' }
  | { t: 'union'; of: Shape[] }
  | { t: 'array'; item: Shape }
  | { t: 'object'; keys: Map<string, Shape> };

/** `sipv calls …` → `calls`; `sipv probe alg …` → `probe alg`; `sipv [FILE...]` is `shell`. */
export function specCommands(): string[] {
  const section = SPEC.slice(SPEC.indexOf('## Commands'));
  const block = section.slice(section.indexOf('```') + 3, section.indexOf('```', section.indexOf('```') + 3));
  const out: string[] = [];
  for (const m of block.matchAll(/^sipv ([a-z]+)(?: ([a-z]+)(?= [A-Z[]))?/gm)) {
    const words = m[2] !== undefined ? `${m[1]} ${m[2]}` : m[1]!;
    if (!out.includes(words)) out.push(words);
  }
  return out;
}

/** The finding codes of SPEC.md's table. */
export function specCodes(): string[] {
  const section = SPEC.slice(SPEC.indexOf('## Finding codes'));
  return [...section.matchAll(/^\|\s*`([a-z]+\.[a-z-]+)`\s*\|/gm)].map((m) => m[1]!);
}

/**
 * The codes of README.md's "Finding codes beyond SPEC.md" table: registry codes SPEC.md
 * does not know (registration, transaction timing), documented there instead.
 */
export function extensionCodes(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const at = readme.indexOf('Finding codes beyond SPEC.md');
  if (at < 0) return [];
  const next = readme.indexOf('\n#', at);
  return [...readme.slice(at, next < 0 ? undefined : next).matchAll(/^\|\s*`([a-z]+\.[a-z-]+)`\s*\|/gm)].map((m) => m[1]!);
}

/** The example after "`calls --json` prints", balanced from its first `{`; an array when the prose says so. */
export function specShape(command: string): Shape {
  const phrase = `\`${command} --json\` prints`;
  const at = SPEC.indexOf(phrase);
  if (at < 0) throw new Error(`SPEC.md has no "${phrase}"`);
  const open = SPEC.indexOf('{', at);
  const prose = SPEC.slice(at + phrase.length, open);
  let depth = 0, end = open, inString = false;
  for (; end < SPEC.length; end++) {
    const ch = SPEC[end]!;
    if (inString) { if (ch === '"') inString = false; continue; }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') { depth--; if (depth === 0) break; }
  }
  const shape = new PseudoJson(SPEC.slice(open, end + 1)).value();
  return /\barray\b/.test(prose) ? { t: 'array', item: shape } : shape;
}

/** "`finalStatus` is … null when none": keys the prose makes nullable. */
export function nullableKeys(): string[] {
  return [...SPEC.matchAll(/`(\w+)` is [^.]*?null when none/g)].map((m) => m[1]!);
}

/** A tolerant reader for SPEC's pseudo-JSON. */
class PseudoJson {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void { while (/\s/.test(this.s[this.i] ?? '')) this.i++; }
  private peek(): string { this.ws(); return this.s[this.i] ?? ''; }
  private eat(ch: string): void {
    if (this.peek() !== ch) throw new Error(`SPEC pseudo-JSON: expected ${ch} at ${this.i}: ${this.s.slice(this.i, this.i + 30)}`);
    this.i++;
  }

  value(): Shape {
    const alts: (Shape & { literal?: string })[] = [this.single()];
    while (this.peek() === '|') { this.i++; alts.push(this.single()); }
    if (alts.length === 1) return strip(alts[0]!);
    const literals = alts.map((a) => a.literal);
    if (literals.every((l) => l !== undefined)) return { t: 'string', oneOf: literals as string[] };
    // `"Via"|"Contact"|…`: examples of an open set of strings.
    if (alts.every((a) => a.literal !== undefined || a.t === 'any')) return { t: 'string' };
    const types: Shape[] = [];
    for (const a of alts) {
      const s = a.t === 'string' ? { t: 'string' as const } : strip(a);
      if (!types.some((x) => x.t === s.t)) types.push(s);
    }
    return types.some((x) => x.t === 'any') ? { t: 'any' } : types.length === 1 ? types[0]! : { t: 'union', of: types };
  }

  private single(): Shape & { literal?: string } {
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const end = this.s.indexOf('"', this.i + 1);
      const text = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      if (text.includes('…')) return { t: 'string' };
      if (/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(text)) return { t: 'string', format: 'time' };
      if (text === 'ip:port') return { t: 'string', format: 'endpoint' };
      return { t: 'string', literal: text };
    }
    if (this.s.startsWith('null', this.i)) { this.i += 4; return { t: 'null' }; }
    const num = /^-?\d+(\.\d+)?/.exec(this.s.slice(this.i));
    if (num) { this.i += num[0].length; return { t: 'number' }; }
    // `…`, `…as diagnose…`, `IDX`, `IDX…`: a placeholder up to the next delimiter.
    const word = /^[^,}\]|]*/.exec(this.s.slice(this.i))![0];
    this.i += word.length;
    if (/^IDX/.test(word.trim())) return { t: 'number', index: true };
    if (word.trim().startsWith('…')) return { t: 'any' };
    throw new Error(`SPEC pseudo-JSON: cannot read "${word}"`);
  }

  private object(): Shape {
    this.eat('{');
    const keys = new Map<string, Shape>();
    while (this.peek() !== '}') {
      this.eat('"');
      const end = this.s.indexOf('"', this.i);
      const key = this.s.slice(this.i, end);
      this.i = end + 1;
      this.eat(':');
      const v = this.value();
      // `{"…":"…"}`: an open map, no key required.
      if (!key.includes('…')) keys.set(key, v);
      if (this.peek() === ',') this.i++;
    }
    this.eat('}');
    return { t: 'object', keys };
  }

  private array(): Shape {
    this.eat('[');
    const item = this.peek() === ']' ? { t: 'any' as const } : this.value();
    while (this.peek() === ',') { this.i++; this.value(); }
    this.eat(']');
    return { t: 'array', item };
  }
}

function strip(s: Shape & { literal?: string }): Shape {
  if (s.literal === undefined) return s;
  return { t: 'string' };
}

/** Where `value` breaks `shape`, as "path: problem" lines; [] when it fits. */
export function check(shape: Shape, value: unknown, path = '$', nullable: readonly string[] = []): string[] {
  const key = /\.(\w+)$/.exec(path)?.[1];
  if (value === null && key !== undefined && nullable.includes(key)) return [];
  switch (shape.t) {
    case 'any': return [];
    case 'null': return value === null ? [] : [`${path}: ${JSON.stringify(value)} is not null`];
    case 'number':
      if (typeof value !== 'number') return [`${path}: ${JSON.stringify(value)} is not a number`];
      return shape.index && !(Number.isInteger(value) && value >= 0) ? [`${path}: ${value} is not an index`] : [];
    case 'string':
      if (typeof value !== 'string') return [`${path}: ${JSON.stringify(value)} is not a string`];
      if (shape.oneOf && !shape.oneOf.includes(value)) return [`${path}: "${value}" is not one of ${shape.oneOf.join('|')}`];
      if (shape.format === 'time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return [`${path}: "${value}" is not an ISO UTC time`];
      if (shape.format === 'endpoint' && !/^(\[[0-9a-f:.]+\]|[^:]+):\d+$/i.test(value)) return [`${path}: "${value}" is not ip:port`];
      return [];
    case 'union': {
      const fits = shape.of.map((s) => check(s, value, path, nullable));
      return fits.some((f) => f.length === 0) ? [] : [`${path}: ${JSON.stringify(value)} fits none of ${shape.of.map((s) => s.t).join('|')}`];
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: not an array`];
      return value.flatMap((v, i) => check(shape.item, v, `${path}[${i}]`, nullable));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not an object`];
      const out: string[] = [];
      for (const [k, s] of shape.keys) {
        if (!(k in value)) out.push(`${path}.${k}: missing`);
        else out.push(...check(s, (value as Record<string, unknown>)[k], `${path}.${k}`, nullable));
      }
      return out;
    }
  }
}

/** The keys a shape names at its top level (of its item, for an array). */
export function topKeys(shape: Shape): string[] {
  const s = shape.t === 'array' ? shape.item : shape;
  return s.t === 'object' ? [...s.keys.keys()] : [];
}
