/**
 * Every diagnosis rule, in report order. Adding a rule: one file in this
 * folder, one line here, its code in ../registry.ts and SPEC.md.
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
import { sipMalformed } from './sip-malformed.js';

export const RULES: readonly Rule[] = [
  natContactPrivate, natViaMismatch, natSdpPrivate, natNoRport, natResponseMisrouted, natBindingTimeout,
  algWarning, algRewrite, algCallidRewritten, algMalformed,
  calleridRejected, diversionMissing, diversionInvalid, sdpCodecMismatch, mediaOneWay,
  sipMalformed, captureDuplicate,
];
