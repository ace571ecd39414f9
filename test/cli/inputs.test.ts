/**
 * `loadSelected` (export --where): the calls a filter keeps, with the same
 * messages as loading everything, while no other call holds its messages.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { join } from 'node:path';
import type { Call } from '../../src/calls/call.js';
import { parseClause, type Filter } from '../../src/calls/filter.js';
import type { Io } from '../../src/cli/io.js';
import { loadFiltered, loadSelected } from '../../src/cli/inputs.js';
import { callToJson } from '../../src/report/json.js';
import { EXAMPLES } from '../helpers/paths.js';

const quiet: Io = { out: () => {}, err: () => {}, errIsTty: false, outIsTty: false, columns: 80 };

function view(calls: Call[]): unknown {
  return calls.map((c) => ({ ...callToJson(c), kept: (c.kept ?? []).map((m) => [m.frame, m.seq, m.msg.raw.toString('latin1')]) }));
}

test('the calls a filter keeps, read a second time for their messages alone, equal those of a full load', async () => {
  const files = [join(EXAMPLES, 'nat-calls.pcap'), join(EXAMPLES, 'basic-call.pcap')];
  const filter: Filter = { clauses: [parseClause('srcnum 6001')], condition: 'or' };
  const full = await loadFiltered(files, quiet, filter);
  const selected = await loadSelected(files, quiet, filter);
  assert.ok(full.calls.length > 0 && full.calls.length < full.all.length, `the filter keeps some calls (${full.calls.length} of ${full.all.length})`);
  assert.deepEqual(view(selected.calls), view(full.calls));
  assert.equal(selected.exitCode, full.exitCode);
});
