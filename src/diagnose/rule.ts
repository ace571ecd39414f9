/**
 * The contract between the engine and a rule. A rule is a small module that
 * reads one call (plus the shared context) and returns drafts; the engine adds
 * the code, call, severity and advice from the registry. Rules never see each
 * other, so adding one touches only its file and the list in rules/index.ts.
 */
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import type { EndpointHistory } from './context.js';
import type { Severity } from './finding.js';
import type { FindingCode } from './registry.js';
import type { MediaIndex } from '../media/index.js';

export interface DiagnoseOptions {
  /** ISO 3166 region (e.g. `DE`) national numbers are validated against; none: only +/00 numbers are checked. */
  region?: string;
}

export interface RuleInput {
  call: Call;
  /** The call's messages in arrival order; finding `messages` index into this. */
  messages: readonly CapturedMessage[];
  /** Every call in the inputs (filtered out or not): forwarded legs, rewritten Call-IDs. */
  calls: readonly Call[];
  history: EndpointHistory;
  options: DiagnoseOptions;
  /** RTP of the same inputs, when the command read it (diagnose does); absent: judge from SDP only. */
  media?: MediaIndex;
}

export interface Draft {
  messages: number[];
  summary: string;
  evidence: Record<string, unknown>;
  /** Only to lower the registry's severity for a milder variant. */
  severity?: Severity;
  /** Only when a more specific sentence than the registry's applies. */
  advice?: string;
}

export interface Rule {
  code: FindingCode;
  check(input: RuleInput): Draft[];
}
