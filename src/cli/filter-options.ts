/**
 * `--where "TYPE VALUE..."` (repeatable) and `--condition and|or`: the shell's
 * filter language as command-line options (SPEC.md, FILTER).
 */
import type { Command } from 'commander';
import { FilterSyntaxError, parseClause, type Filter } from '../calls/filter.js';
import { CliError } from './io.js';

export interface FilterFlags {
  where?: string[];
  condition?: string;
}

export function addFilterOptions(cmd: Command): Command {
  return cmd
    .option('--where <clause>', 'keep calls matching a filter clause, e.g. "srcnum 4151509" (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--condition <and|or>', 'how several --where clauses combine', 'or');
}

export function filterFromFlags(flags: FilterFlags): Filter {
  const condition = (flags.condition ?? 'or').toLowerCase();
  if (condition !== 'and' && condition !== 'or') throw new CliError(`--condition must be 'and' or 'or', not '${flags.condition}'`);
  try {
    return { clauses: (flags.where ?? []).map(parseClause), condition };
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new CliError(`--where: ${e.message}`);
    throw e;
  }
}
