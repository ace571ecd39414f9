/**
 * The rows a call store holds, and the conversions between them and the
 * in-memory model. A stored call is its SPEC.md summary plus the facts the
 * filter language matches on; a stored message is where and when it was seen
 * plus its exact bytes, parsed again when it is read back — the same re-parse
 * the in-memory store does for the messages it keeps, so `show` prints the
 * same thing from a store as from the capture.
 */
import { HeaderNameIndex, HeaderNameSet, type Call } from '../calls/call.js';
import type { CapturedMessage, MessageTransport } from '../calls/captured-message.js';
import { parseSipMessage } from '../sip/parse.js';
import { isCleanScan } from '../sip/scan.js';

export interface CallRow {
  idx: number;
  callId: string;
  startSec: number;
  startNsec: number;
  endSec: number;
  endNsec: number;
  firstMethod: string | null;
  fromUser: string;
  toUser: string;
  srcIp: string;
  dstIp: string;
  messages: number;
  finalStatus: number | null;
  retransmissions: number;
  duplicates: number;
  anomalies: number;
  srcIps: string[];
  dstIps: string[];
  fromNumbers: string[];
  toNumbers: string[];
  diversion: string[];
  pai: string[];
  ppi: string[];
  headerNames: string[];
}

/** A call's summary without the lists the filter language matches on. */
export type CallBrief = Omit<CallRow, 'srcIps' | 'dstIps' | 'fromNumbers' | 'toNumbers' | 'diversion' | 'pai' | 'ppi' | 'headerNames'>;

/** One indexing run's share of a call: its messages are stored under (run, runCall). */
export interface CallPart {
  idx: number;
  run: number;
  runCall: number;
}

export interface MessageRow {
  run: number;
  /** The call's arrival index inside its run. */
  runCall: number;
  /** Store-wide arrival order. */
  seq: number;
  frame: number;
  sec: number;
  nsec: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  transport: string;
  /** HEP metadata as JSON, or null. */
  hep: string | null;
  /** Issues the capture path attached (framing as well as parsing): what `anomalies` counts. */
  issues: number;
  /** The request's method or the response's status, as parsed: what a message is without its bytes. */
  method: string | null;
  status: number | null;
  raw: Buffer;
}

/** A stored message without its bytes (`raw` only where asked for), with its call's store index. */
export interface MessageBrief extends Pick<MessageRow, 'seq' | 'sec' | 'nsec' | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'transport' | 'method' | 'status'> {
  idx: number;
  raw: Buffer | null;
}

export const CALL_COLUMNS = [
  'idx', 'call_id', 'start_sec', 'start_nsec', 'end_sec', 'end_nsec', 'first_method', 'from_user', 'to_user',
  'src_ip', 'dst_ip', 'messages', 'final_status', 'retransmissions', 'duplicates', 'anomalies',
  'src_ips', 'dst_ips', 'from_numbers', 'to_numbers', 'diversion', 'pai', 'ppi', 'header_names',
] as const;

/** The columns of a CallBrief: CALL_COLUMNS up to the lists. */
export const CALL_BRIEF_COLUMNS = CALL_COLUMNS.slice(0, 16);

export const MESSAGE_COLUMNS = [
  'run', 'run_call', 'seq', 'frame', 'sec', 'nsec', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'transport', 'hep', 'issues',
  'method', 'status', 'raw',
] as const;

export const BRIEF_COLUMNS = ['seq', 'sec', 'nsec', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'transport', 'method', 'status'] as const;

export function callToRow(call: Call, idx: number): CallRow {
  const f = call.facts;
  return {
    idx, callId: call.callId,
    startSec: call.start.sec, startNsec: call.start.nsec, endSec: call.end.sec, endNsec: call.end.nsec,
    firstMethod: call.firstMethod, fromUser: call.from, toUser: call.to, srcIp: call.srcIp, dstIp: call.dstIp,
    messages: call.messages, finalStatus: call.finalStatus, retransmissions: call.retransmissions,
    duplicates: call.duplicates, anomalies: call.anomalies,
    srcIps: [...f.srcIps], dstIps: [...f.dstIps], fromNumbers: [...f.fromNumbers], toNumbers: [...f.toNumbers],
    diversion: [...f.diversion], pai: [...f.pai], ppi: [...f.ppi], headerNames: [...f.headerNames],
  };
}

/** A Call as the in-memory store would have built it; `names` is shared by every call of one read. */
export function rowToCall(row: CallRow, names: HeaderNameIndex): Call {
  const headerNames = new HeaderNameSet(names);
  for (const n of row.headerNames) headerNames.add(n);
  return {
    index: row.idx, callId: row.callId,
    start: { sec: row.startSec, nsec: row.startNsec }, end: { sec: row.endSec, nsec: row.endNsec },
    firstMethod: row.firstMethod, from: row.fromUser, to: row.toUser, srcIp: row.srcIp, dstIp: row.dstIp,
    messages: row.messages, finalStatus: row.finalStatus, retransmissions: row.retransmissions,
    duplicates: row.duplicates, anomalies: row.anomalies,
    facts: {
      srcIps: row.srcIps, dstIps: row.dstIps, fromNumbers: row.fromNumbers, toNumbers: row.toNumbers,
      diversion: row.diversion, pai: row.pai, ppi: row.ppi, headerNames,
    },
    kept: null,
  };
}

export function messageToRow(m: CapturedMessage, run: number, runCall: number, seq: number): MessageRow {
  return {
    run, runCall, seq, frame: m.frame, sec: m.sec, nsec: m.nsec,
    srcIp: m.srcIp, srcPort: m.srcPort, dstIp: m.dstIp, dstPort: m.dstPort, transport: m.transport,
    hep: m.hep === undefined ? null : JSON.stringify(m.hep),
    // A clean scan has no issues by definition; asking would parse it in full.
    issues: isCleanScan(m.msg) ? 0 : m.msg.issues.length,
    method: m.msg.kind === 'request' ? m.msg.method : null,
    status: m.msg.kind === 'response' ? m.msg.status : null,
    // Still a view into the reader's chunk: RunWriter.addMessage copies it before it returns.
    raw: m.msg.raw,
  };
}

export class StoredMessageError extends Error {}

/**
 * The message back, parsed from its bytes. `withCapturedIssues` pads the issue
 * list to the count the capture path saw (framing issues are not in the bytes),
 * for re-summarising a call; views use the plain re-parse, as the in-memory store does.
 */
export function rowToMessage(row: MessageRow, withCapturedIssues = false): CapturedMessage {
  const msg = parseSipMessage(row.raw);
  if (msg === null) throw new StoredMessageError(`stored message ${row.seq} is no longer SIP`);
  if (withCapturedIssues) {
    while (msg.issues.length < row.issues) msg.issues.push({ code: 'capture.stored', detail: 'issue seen while capturing' });
    msg.issues.length = row.issues;
  }
  const m: CapturedMessage = {
    seq: row.seq, source: 0, frame: row.frame, sec: row.sec, nsec: row.nsec,
    srcIp: row.srcIp, srcPort: row.srcPort, dstIp: row.dstIp, dstPort: row.dstPort,
    transport: row.transport as MessageTransport, msg,
  };
  if (row.hep !== null) m.hep = JSON.parse(row.hep) as NonNullable<CapturedMessage['hep']>;
  return m;
}
