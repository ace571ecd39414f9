/**
 * The filter language of the SIPvestigator shell, turned into a predicate over
 * calls. One `add TYPE VALUE...` line is one condition (any of its values
 * matches); conditions combine with `and` or `or` (default `or`, as the
 * original shell did). `--where "srcnum 4151509"` on the command line is the
 * same as one `add` line.
 */
import { canonicalName } from '../sip/compact.js';
import { normaliseNumber } from '../sip/number.js';
import type { Call } from './call.js';
import { ipMatcher, IpValueError } from './ip-match.js';

export const FILTER_TYPES = ['srcnum', 'dstnum', 'telnum', 'srcip', 'dstip', 'ip', 'diversion', 'pai', 'ppi', 'has'] as const;
export type FilterType = (typeof FILTER_TYPES)[number];
export type Condition = 'and' | 'or';

export interface FilterClause {
  type: FilterType;
  values: string[];
}

export interface Filter {
  clauses: FilterClause[];
  condition: Condition;
}

export const EMPTY_FILTER: Filter = Object.freeze({ clauses: [], condition: 'or' }) as Filter;

export class FilterSyntaxError extends Error {
  readonly code = 'FILTER_SYNTAX';
}

export function isFilterType(word: string): word is FilterType {
  return (FILTER_TYPES as readonly string[]).includes(word);
}

/** Parses `TYPE VALUE...` as typed after `add` (or in `--where`). */
export function parseClause(text: string): FilterClause {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  const type = words[0]?.toLowerCase() ?? '';
  if (!isFilterType(type)) {
    throw new FilterSyntaxError(type === '' ? 'a filter needs a type and a value' : `unknown filter type '${type}' (types: ${FILTER_TYPES.join(', ')})`);
  }
  const values = words.slice(1);
  if (values.length === 0) throw new FilterSyntaxError(`filter '${type}' needs a value, e.g. '${example(type)}'`);
  if (type === 'srcip' || type === 'dstip' || type === 'ip') {
    // Checked here so a bad CIDR is a syntax error when typed, not when the filter runs.
    try {
      values.forEach(ipMatcher);
    } catch (e) {
      if (e instanceof IpValueError) throw new FilterSyntaxError(e.message);
      throw e;
    }
  }
  return { type, values };
}

function example(type: FilterType): string {
  switch (type) {
    case 'srcip': case 'dstip': case 'ip': return `${type} 10.0.0.1`;
    case 'has': return 'has Diversion';
    default: return `${type} 4151509`;
  }
}

export function isActive(filter: Filter): boolean {
  return filter.clauses.length > 0;
}

/** What a call store must gather for `filter` (CallStoreOptions): facts for any clause, header names for `has`. */
export function factsNeeded(filter: Filter): { facts: boolean; headerNames: boolean } {
  return { facts: isActive(filter), headerNames: filter.clauses.some((c) => c.type === 'has') };
}

/** Builds the predicate once, so a filter over 270 000 calls does not re-parse values per call. */
export function compileFilter(filter: Filter): (call: Call) => boolean {
  if (filter.clauses.length === 0) return () => true;
  const tests = filter.clauses.map(compileClause);
  return filter.condition === 'and'
    ? (call) => tests.every((t) => t(call))
    : (call) => tests.some((t) => t(call));
}

function compileClause(clause: FilterClause): (call: Call) => boolean {
  if (clause.type === 'has') {
    const names = clause.values.map(canonicalName);
    return (call) => names.some((n) => call.facts.headerNames.has(n));
  }
  if (clause.type === 'srcip' || clause.type === 'dstip' || clause.type === 'ip') {
    const matchers = clause.values.map(ipMatcher);
    const sets = (call: Call): (readonly string[])[] =>
      clause.type === 'srcip' ? [call.facts.srcIps] : clause.type === 'dstip' ? [call.facts.dstIps] : [call.facts.srcIps, call.facts.dstIps];
    return (call) => sets(call).some((set) => anyMatch(set, matchers));
  }
  const matchers = clause.values.map((v) => textMatcher(normaliseNumber(v)));
  const sets = (call: Call): (readonly string[])[] => {
    const f = call.facts;
    switch (clause.type) {
      case 'srcnum': return [f.fromNumbers];
      case 'dstnum': return [f.toNumbers];
      case 'telnum': return [f.fromNumbers, f.toNumbers, f.diversion, f.pai, f.ppi];
      case 'diversion': return [f.diversion];
      case 'pai': return [f.pai];
      default: return [f.ppi];
    }
  };
  return (call) => sets(call).some((set) => anyMatch(set, matchers));
}

/** Exact match, or a prefix match when the value ends in `*`. */
function textMatcher(value: string): (candidate: string) => boolean {
  if (value.endsWith('*')) {
    const prefix = value.slice(0, -1);
    return (c) => c.startsWith(prefix);
  }
  return (c) => c === value;
}

function anyMatch(set: readonly string[], matchers: ((c: string) => boolean)[]): boolean {
  for (const candidate of set) for (const m of matchers) if (m(candidate)) return true;
  return false;
}

/** The filter as the shell's `show filter` prints it. */
export function describeFilter(filter: Filter): string {
  if (filter.clauses.length === 0) return 'no filter';
  return filter.clauses.map((c) => `${c.type} ${c.values.join(' ')}`).join(` ${filter.condition} `);
}
