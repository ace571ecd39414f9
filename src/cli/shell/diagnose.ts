/**
 * The shell's `diagnose [IDX|CALL-ID]`: the same engine and report as
 * `sipv diagnose`, over one call or the calls passing the filter, with every
 * loaded call as context (earlier REGISTERs, other calls of an endpoint).
 */
import { diagnose } from '../../diagnose/engine.js';
import { renderFindings } from '../../report/findings-text.js';
import type { Call } from '../../calls/call.js';
import type { Io } from '../io.js';
import type { Session } from './session.js';

export function diagnoseCalls(session: Session, io: Io, only?: Call): void {
  const all = session.store.calls();
  const calls = only === undefined ? session.visible() : [only];
  const findings = diagnose({ calls, allCalls: all });
  io.out(renderFindings(findings, { color: io.outIsTty, callIndex: new Map(all.map((c) => [c.callId, c.index])), calls: calls.length }));
}
