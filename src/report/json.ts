/**
 * The JSON shapes of SPEC.md (`calls --json`, `show --json`). Views serialise
 * the same model the text renderers draw (STYLE.md principle 9); keep field
 * names and meanings stable — the contract lets them grow, never change.
 */
import { toIso } from '../core/time.js';
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { getHeader } from '../sip/headers.js';
import { endpoint } from '../net/packet.js';

export interface CallJson {
  index: number;
  callId: string;
  start: string;
  end: string;
  firstMethod: string | null;
  from: string;
  to: string;
  srcIp: string;
  dstIp: string;
  messages: number;
  finalStatus: number | null;
  retransmissions: number;
  duplicates: number;
  anomalies: number;
}

export function callToJson(call: Call): CallJson {
  return {
    index: call.index,
    callId: call.callId,
    start: toIso(call.start),
    end: toIso(call.end),
    firstMethod: call.firstMethod,
    from: call.from,
    to: call.to,
    srcIp: call.srcIp,
    dstIp: call.dstIp,
    messages: call.messages,
    finalStatus: call.finalStatus,
    retransmissions: call.retransmissions,
    duplicates: call.duplicates,
    anomalies: call.anomalies,
  };
}

export interface MessageJson {
  index: number;
  time: string;
  src: string;
  dst: string;
  transport: string;
  method: string | null;
  status: number | null;
  reason: string | null;
  cseq: string | null;
  raw: string;
  /** Parser issues, when there are any (an addition to SPEC.md's shape). */
  issues?: { code: string; detail: string; offset?: number }[];
}

export function messageToJson(m: CapturedMessage, index: number): MessageJson {
  const msg = m.msg;
  const json: MessageJson = {
    index,
    time: toIso(m),
    src: endpoint(m.srcIp, m.srcPort),
    dst: endpoint(m.dstIp, m.dstPort),
    transport: m.transport,
    method: msg.kind === 'request' ? msg.method : null,
    status: msg.kind === 'response' ? msg.status : null,
    reason: msg.kind === 'response' ? msg.reason : null,
    cseq: getHeader(msg, 'cseq') ?? null,
    raw: msg.raw.toString('utf8'),
  };
  if (msg.issues.length > 0) json.issues = msg.issues.map((i) => ({ ...i }));
  return json;
}

export function conversationToJson(call: Pick<Call, 'callId' | 'kept'>): { callId: string; messages: MessageJson[] } {
  return { callId: call.callId, messages: (call.kept ?? []).map(messageToJson) };
}

/**
 * `calls --json` written in pieces through `write`: one string for 270 000
 * calls would be a hundred megabytes held at once, on top of the calls.
 */
export function writeCallsJson(calls: readonly Call[], write: (text: string) => void): void {
  writeChunked(calls, write, '[', (i) => (i === 0 ? '\n ' : ',\n '), calls.length === 0 ? ']\n' : '\n]\n');
}

/** `--ndjson`: one call object per line, the same text as in `writeCallsJson`. */
export function writeCallsNdjson(calls: readonly Call[], write: (text: string) => void): void {
  writeChunked(calls, write, '', () => '', '', '\n');
}

/** Calls as JSON text, written in pieces of about 64 KiB: not one write per call, nor one string of them all. */
function writeChunked(calls: readonly Call[], write: (text: string) => void, open: string, before: (i: number) => string, close: string, after = ''): void {
  let chunk = open;
  for (let i = 0; i < calls.length; i++) {
    chunk += before(i) + callJsonText(calls[i]!) + after;
    if (chunk.length > 65536) {
      write(chunk);
      chunk = '';
    }
  }
  write(chunk + close);
}

/**
 * `JSON.stringify(callToJson(call))` without the intermediate object: listing
 * 270 000 calls spent a tenth of its time building and walking them. The field
 * order is CallJson's; a test holds the two forms equal.
 */
export function callJsonText(call: Call): string {
  const str = JSON.stringify;
  return `{"index":${call.index},"callId":${str(call.callId)},"start":"${toIso(call.start)}","end":"${toIso(call.end)}",` +
    `"firstMethod":${call.firstMethod === null ? 'null' : str(call.firstMethod)},"from":${str(call.from)},"to":${str(call.to)},` +
    `"srcIp":${str(call.srcIp)},"dstIp":${str(call.dstIp)},"messages":${call.messages},"finalStatus":${call.finalStatus === null ? 'null' : call.finalStatus},` +
    `"retransmissions":${call.retransmissions},"duplicates":${call.duplicates},"anomalies":${call.anomalies}}`;
}
