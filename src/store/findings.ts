/**
 * Diagnosis over a store, a batch of calls at a time, without holding every
 * message. The engine wants the calls it judges with their messages, plus
 * context from every call of the store:
 * - the call summaries (forwarded legs, Call-ID twins, the capture's end,
 *   REGISTERs under other Call-IDs): held for every call, without the filter
 *   facts, which no rule reads of any call (reading them throws, so a rule
 *   that starts to fails loudly here rather than answering differently);
 * - the messages of calls that begin with REGISTER (register.lapsed reads
 *   them): held as light copies, REGISTER requests by their bytes, parsed
 *   when a rule first reads their headers;
 * - the EndpointHistory of every message: built once, streaming the stored
 *   messages without their bytes (method or status, addresses and time are
 *   columns), parsing only REGISTER requests.
 * Any other call's messages are not held, and reading them throws too.
 * Then the calls to judge are read in batches of BATCH_CALLS, parsed in full,
 * diagnosed and dropped. Findings come out in the order `diagnose` over the
 * files gives them: by call, then rule.
 */
import type { Call, CallFacts } from '../calls/call.js';
import type { CapturedMessage, MessageTransport } from '../calls/captured-message.js';
import type { Timestamp } from '../core/time.js';
import { EndpointHistory } from '../diagnose/context.js';
import { diagnose } from '../diagnose/engine.js';
import type { Finding } from '../diagnose/finding.js';
import type { MediaIndex } from '../media/index.js';
import type { SipHeader, SipMessage, SipRequest } from '../sip/message.js';
import { parseSipMessage } from '../sip/parse.js';
import type { FindingRow, StoreBackend } from './backend.js';
import { rowToMessage, type CallBrief, type MessageBrief, type MessageRow } from './rows.js';

/** Calls whose messages are held in full at once (about 10 messages, 20 kB parsed, each). */
const BATCH_CALLS = 5_000;

/** Other calls whose messages the rules read (register.lapsed), and the requests EndpointHistory parses. */
const CONTEXT_METHOD = 'REGISTER';

/** A call as the store's diagnosis holds it: the summary, and messages only while judged (or for context). */
class StoredCall implements Call {
  readonly index: number;
  readonly callId: string;
  readonly start: Timestamp;
  readonly end: Timestamp;
  readonly firstMethod: string | null;
  readonly from: string;
  readonly to: string;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly messages: number;
  readonly finalStatus: number | null;
  readonly retransmissions: number;
  readonly duplicates: number;
  readonly anomalies: number;
  /** Light copies held between batches (calls that begin with CONTEXT_METHOD). */
  context: CapturedMessage[] | null = null;
  private held: CapturedMessage[] | null = null;

  constructor(b: CallBrief, intern: (s: string) => string) {
    this.index = b.idx; this.callId = b.callId;
    this.start = { sec: b.startSec, nsec: b.startNsec }; this.end = { sec: b.endSec, nsec: b.endNsec };
    this.firstMethod = b.firstMethod === null ? null : intern(b.firstMethod);
    this.from = intern(b.fromUser); this.to = intern(b.toUser); this.srcIp = intern(b.srcIp); this.dstIp = intern(b.dstIp);
    this.messages = b.messages; this.finalStatus = b.finalStatus; this.retransmissions = b.retransmissions;
    this.duplicates = b.duplicates; this.anomalies = b.anomalies;
  }

  get facts(): CallFacts {
    throw new Error(`call ${this.index}: the store's diagnosis does not load filter facts (store/findings.ts)`);
  }

  get kept(): CapturedMessage[] | null {
    const messages = this.held ?? this.context;
    if (messages === null) throw new Error(`call ${this.index}: the store's diagnosis holds no messages of this call (store/findings.ts)`);
    return messages;
  }

  set kept(messages: CapturedMessage[] | null) {
    this.held = messages;
  }
}

function interner(): (s: string) => string {
  const strings = new Map<string, string>();
  return (s) => {
    const known = strings.get(s);
    if (known !== undefined) return known;
    strings.set(s, s);
    return s;
  };
}

/** What EndpointHistory and register.lapsed read of a message that is not a CONTEXT_METHOD request. */
function light(b: MessageBrief, intern: (s: string) => string): CapturedMessage {
  const msg = b.method !== null ? { kind: 'request', method: intern(b.method) } : { kind: 'response', status: b.status ?? 0 };
  return {
    seq: b.seq, source: 0, frame: 0, sec: b.sec, nsec: b.nsec, srcIp: intern(b.srcIp), srcPort: b.srcPort,
    dstIp: intern(b.dstIp), dstPort: b.dstPort, transport: b.transport as MessageTransport, msg: msg as SipMessage,
  };
}

/** A request held by its bytes: parsed when first read beyond kind and method (rarely: few rules look at other calls). */
class LazyRequest implements SipRequest {
  readonly kind = 'request';
  private parsed: SipRequest | null = null;

  constructor(readonly raw: Buffer, readonly method: string) {}

  private get full(): SipRequest {
    return (this.parsed ??= parseSipMessage(this.raw) as SipRequest);
  }

  get version(): string { return this.full.version; }
  get headers(): SipHeader[] { return this.full.headers; }
  get bodyOffset(): number { return this.full.bodyOffset; }
  get body(): Buffer { return this.full.body; }
  get issues(): SipRequest['issues'] { return this.full.issues; }
  get uri(): string { return this.full.uri; }
}

function full(b: MessageBrief): CapturedMessage {
  return rowToMessage({
    run: 0, runCall: 0, seq: b.seq, frame: 0, sec: b.sec, nsec: b.nsec, srcIp: b.srcIp, srcPort: b.srcPort,
    dstIp: b.dstIp, dstPort: b.dstPort, transport: b.transport, hep: null, issues: 0, method: b.method, status: b.status, raw: b.raw!,
  });
}

/** Every call of the store (index order) with the context above, and the history of every message. */
export interface StoreContext {
  calls: StoredCall[];
  /** By store index (dense: indexes are handed out in order). */
  byIndex: (StoredCall | undefined)[];
  history: EndpointHistory;
}

export async function loadContext(store: StoreBackend): Promise<StoreContext> {
  const intern = interner();
  const calls: StoredCall[] = [];
  const byIndex: (StoredCall | undefined)[] = [];
  await store.eachCallBrief((b) => {
    const call = new StoredCall(b, intern);
    calls.push(call);
    byIndex[call.index] = call;
  });
  const history = new EndpointHistory([]);
  await store.eachMessageBrief(CONTEXT_METHOD, (b) => {
    const call = byIndex[b.idx];
    if (call === undefined) throw new Error(`stored message ${b.seq} belongs to no call`);
    const whole = b.raw !== null && b.method?.toUpperCase() === CONTEXT_METHOD;
    const m = whole ? full(b) : light(b, intern);
    history.add(call.callId, m);
    if (call.firstMethod === CONTEXT_METHOD) (call.context ??= []).push(whole ? { ...m, msg: new LazyRequest(b.raw!, b.method!) } : m);
  });
  history.seal();
  return { calls, byIndex, history };
}

export interface DiagnoseStoreOptions {
  region?: string;
  /** RTP of the captures at hand; absent: media judged from SDP only. */
  media?: MediaIndex;
  /** Receives each batch's findings (with call index and position, ready to store), in order. */
  onBatch: (findings: Finding[], rows: FindingRow[]) => Promise<void>;
}

/** Findings for the calls `targets` (store indexes, any order; every call when null). */
export async function diagnoseStore(store: StoreBackend, context: StoreContext, targets: readonly number[] | null, options: DiagnoseStoreOptions): Promise<void> {
  const judged = targets === null ? context.calls : [...new Set(targets)].sort((a, b) => a - b).map((idx) => {
    const call = context.byIndex[idx];
    if (call === undefined) throw new Error(`no stored call ${idx} to diagnose`);
    return call;
  });
  const diagnoseOptions = options.region === undefined ? {} : { region: options.region };
  for (let i = 0; i < judged.length; i += BATCH_CALLS) {
    const batch = judged.slice(i, i + BATCH_CALLS);
    const rows = new Map<number, MessageRow[]>(batch.map((c) => [c.index, []]));
    await store.eachMessage(batch.map((c) => c.index), (idx, row) => rows.get(idx)?.push(row));
    for (const call of batch) call.kept = rows.get(call.index)!.sort((a, b) => a.seq - b.seq).map((r) => rowToMessage(r));
    rows.clear();
    const findings = diagnose({
      calls: batch, allCalls: context.calls, options: diagnoseOptions, history: context.history,
      ...(options.media === undefined ? {} : { media: options.media }),
    });
    for (const call of batch) call.kept = null;
    const byCallId = new Map(batch.map((c) => [c.callId, c]));
    const out: FindingRow[] = [];
    let last = -1;
    let pos = 0;
    for (const f of findings) {
      const call = byCallId.get(f.callId);
      if (call === undefined) throw new Error(`finding for call ${f.callId}, which was not diagnosed`);
      pos = call.index === last ? pos + 1 : 0;
      last = call.index;
      out.push({ idx: call.index, pos, code: f.code, severity: f.severity, json: JSON.stringify(f) });
    }
    await options.onBatch(findings, out);
  }
}
