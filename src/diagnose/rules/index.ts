/**
 * Every diagnosis rule, in report order. Adding a rule: one file in this
 * folder, one line here, its code in ../registry.ts and in SPEC.md (or, for a
 * code SPEC.md does not know, README.md's "Finding codes beyond SPEC.md").
 */
import type { Rule } from '../rule.js';
import { algCallidRewritten } from './alg-callid-rewritten.js';
import { algMalformed } from './alg-malformed.js';
import { algRewrite } from './alg-rewrite.js';
import { algWarning } from './alg-warning.js';
import { calleridRejected } from './callerid-rejected.js';
import { captureDuplicate } from './capture-duplicate.js';
import { diversionInvalid } from './diversion-invalid.js';
import { diversionMissing } from './diversion-missing.js';
import { mediaOneWay } from './media-one-way.js';
import { natBindingTimeout } from './nat-binding-timeout.js';
import { natContactPrivate } from './nat-contact-private.js';
import { natNoRport } from './nat-no-rport.js';
import { natResponseMisrouted } from './nat-response-misrouted.js';
import { natSdpPrivate } from './nat-sdp-private.js';
import { natViaMismatch } from './nat-via-mismatch.js';
import { sdpCodecMismatch } from './sdp-codec-mismatch.js';
import { registerAuthFailed } from './register-auth-failed.js';
import { registerForbidden } from './register-forbidden.js';
import { registerIntervalTooBrief } from './register-interval-too-brief.js';
import { registerLapsed } from './register-lapsed.js';
import { sipMalformed } from './sip-malformed.js';
import { timingNoAnswer } from './timing-no-answer.js';
import { timingNoProvisional } from './timing-no-provisional.js';
import { timingRetransmission } from './timing-retransmission.js';

export const RULES: readonly Rule[] = [
  natContactPrivate, natViaMismatch, natSdpPrivate, natNoRport, natResponseMisrouted, natBindingTimeout,
  algWarning, algRewrite, algCallidRewritten, algMalformed,
  calleridRejected, diversionMissing, diversionInvalid, sdpCodecMismatch, mediaOneWay,
  registerAuthFailed, registerForbidden, registerIntervalTooBrief, registerLapsed,
  timingNoProvisional, timingRetransmission, timingNoAnswer,
  sipMalformed, captureDuplicate,
];
