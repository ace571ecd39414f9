/**
 * The filter language (calls/filter.ts) as a SQL condition over the stored
 * facts columns, with every user value passed as a parameter. Each store
 * supplies its dialect: how a parameter is written and how "a list has this
 * element / an element starting with this" reads in its SQL.
 *
 * The SQL must answer exactly as `compileFilter` does. CIDR blocks are the one
 * thing compared as addresses rather than text; no SQL here can do that
 * without an extension, so a clause with a CIDR value is left to the
 * predicate: the SQL then keeps a superset and `exact` is false.
 */
import { canonicalName } from '../sip/compact.js';
import { normaliseNumber } from '../sip/number.js';
import type { Filter, FilterClause } from '../calls/filter.js';

export interface SqlDialect {
  /** The always-true condition (`TRUE`, or `1` where there is no boolean literal). */
  readonly true: string;
  /** The placeholder for parameter number `n` (0-based) in `params`. */
  placeholder(n: number): string;
  /** True when the array column has an element equal to the parameter. */
  has(column: string, param: string): string;
  /** True when the array column has an element starting with the parameter. */
  hasPrefix(column: string, param: string): string;
  /** The same two over lower-cased elements (IP text matches ignore case). */
  hasLower(column: string, param: string): string;
  hasLowerPrefix(column: string, param: string): string;
}

export interface SqlFilter {
  /** A boolean SQL expression; `TRUE` when there is no filter. */
  where: string;
  params: string[];
  /** False when the SQL keeps a superset and the predicate must decide. */
  exact: boolean;
}

const NUMBER_COLUMNS: Record<string, string[]> = {
  srcnum: ['from_numbers'],
  dstnum: ['to_numbers'],
  telnum: ['from_numbers', 'to_numbers', 'diversion', 'pai', 'ppi'],
  diversion: ['diversion'],
  pai: ['pai'],
  ppi: ['ppi'],
};

const IP_COLUMNS: Record<string, string[]> = {
  srcip: ['src_ips'],
  dstip: ['dst_ips'],
  ip: ['src_ips', 'dst_ips'],
};

export function filterToSql(filter: Filter, dialect: SqlDialect): SqlFilter {
  if (filter.clauses.length === 0) return { where: dialect.true, params: [], exact: true };
  const params: string[] = [];
  const bind = (value: string): string => {
    params.push(value);
    return dialect.placeholder(params.length - 1);
  };
  let exact = true;
  const parts = filter.clauses.map((clause) => {
    const sql = clauseToSql(clause, dialect, bind);
    if (sql === null) {
      exact = false;
      return dialect.true;
    }
    return sql;
  });
  const joiner = filter.condition === 'and' ? ' AND ' : ' OR ';
  return { where: parts.map((p) => `(${p})`).join(joiner), params, exact };
}

/** `null` when the clause cannot be said in SQL (a CIDR value). */
function clauseToSql(clause: FilterClause, d: SqlDialect, bind: (v: string) => string): string | null {
  const any = (tests: string[]): string => tests.map((t) => `(${t})`).join(' OR ');
  if (clause.type === 'has') {
    return any(clause.values.map((v) => d.has('header_names', bind(canonicalName(v)))));
  }
  const ipColumns = IP_COLUMNS[clause.type];
  if (ipColumns !== undefined) {
    if (clause.values.some((v) => v.includes('/'))) return null;
    return any(clause.values.flatMap((v) => ipColumns.map((col) => v.endsWith('*')
      ? d.hasLowerPrefix(col, bind(v.slice(0, -1).toLowerCase()))
      : d.hasLower(col, bind(v.toLowerCase())))));
  }
  const columns = NUMBER_COLUMNS[clause.type]!;
  return any(clause.values.flatMap((raw) => {
    const v = normaliseNumber(raw);
    return columns.map((col) => v.endsWith('*') ? d.hasPrefix(col, bind(v.slice(0, -1))) : d.has(col, bind(v)));
  }));
}
