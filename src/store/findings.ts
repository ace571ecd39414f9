/**
 * Diagnosis over a store without holding every message at once. The engine
 * wants the calls it judges with their messages kept, plus every call of the
 * inputs for context: call summaries (forwarded legs, Call-ID twins) and
 * every message through EndpointHistory. The summaries are small; the
 * messages are not. So each batch of calls gets its full messages, and every
 * other call carries a light copy of its messages — full for REGISTER (the
 * history reads their Contact, Expires and Via), and for the rest only what
 * the history reads: addresses, time, method or status. Findings come out in
 * the order `diagnose` over the files gives them: by call, then rule.
 * RTP (media.one-way) comes from the capture files given, read once more.
 */
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { diagnose } from '../diagnose/engine.js';
import { collectRtp } from '../media/collect.js';
import { announcedEndpoints } from '../media/index.js';
import type { Finding } from '../diagnose/finding.js';
import type { SipMessage } from '../sip/message.js';
import type { FindingRow, StoreBackend } from './backend.js';
import { rowToMessage, type MessageRow } from './rows.js';

/** Calls whose messages are held in full at once. */
const BATCH_CALLS = 20_000;

export interface StoredDiagnosis {
  findings: Finding[];
  /** The same findings with their call index and position, ready to store. */
  rows: FindingRow[];
}

/** What EndpointHistory needs of a message that is not a REGISTER. */
function light(m: CapturedMessage, intern: (s: string) => string): CapturedMessage {
  const msg = m.msg.kind === 'request' ? { kind: 'request', method: m.msg.method } : { kind: 'response', status: m.msg.status };
  return {
    seq: m.seq, source: 0, frame: m.frame, sec: m.sec, nsec: m.nsec, srcIp: intern(m.srcIp), srcPort: m.srcPort,
    dstIp: intern(m.dstIp), dstPort: m.dstPort, transport: m.transport, msg: msg as SipMessage,
  };
}

/** Rows collected per call, read back in arrival order. */
function grouped(): { add(idx: number, row: MessageRow): void; sorted(idx: number): MessageRow[] } {
  const by = new Map<number, MessageRow[]>();
  return {
    add(idx, row) {
      let list = by.get(idx);
      if (list === undefined) by.set(idx, (list = []));
      list.push(row);
    },
    sorted(idx) {
      return (by.get(idx) ?? []).sort((a, b) => a.seq - b.seq);
    },
  };
}

/**
 * Findings for `targets` (default: every call), with `all` the store's calls in
 * index order. The calls' `kept` is used as scratch and left null.
 */
export async function diagnoseStore(store: StoreBackend, all: Call[], region: string | undefined, targets: Call[] = all, mediaFiles: readonly string[] = []): Promise<StoredDiagnosis> {
  const strings = new Map<string, string>();
  const intern = (s: string): string => {
    const known = strings.get(s);
    if (known !== undefined) return known;
    strings.set(s, s);
    return s;
  };
  const lights = new Map<number, CapturedMessage[]>();
  const wanted = new Set<string>();
  // Each row is made light as it streams in: the raw bytes of the whole store are never held together.
  await store.eachMessage(null, (idx, row) => {
    const m = rowToMessage(row);
    if (mediaFiles.length > 0 && m.msg.body.length > 0) for (const e of announcedEndpoints([{ kept: [m] } as Call])) wanted.add(e);
    let list = lights.get(idx);
    if (list === undefined) lights.set(idx, (list = []));
    list.push(m.msg.kind === 'request' && m.msg.method.toUpperCase() === 'REGISTER' ? m : light(m, intern));
  });
  for (const list of lights.values()) list.sort((a, b) => a.seq - b.seq);
  for (const call of all) call.kept = lights.get(call.index) ?? [];

  const findings: Finding[] = [];
  const rows: FindingRow[] = [];
  const options = region === undefined ? {} : { region };
  // RTP is not stored: it is read from the captures still at hand (the run being indexed), as diagnose FILE... reads it.
  const media = mediaFiles.length > 0 ? await collectRtp(mediaFiles, wanted) : undefined;
  for (let i = 0; i < targets.length; i += BATCH_CALLS) {
    const batch = targets.slice(i, i + BATCH_CALLS);
    const full = grouped();
    await store.eachMessage(batch.map((c) => c.index), (idx, row) => full.add(idx, row));
    for (const call of batch) call.kept = full.sorted(call.index).map((r) => rowToMessage(r));
    let last = -1;
    let pos = 0;
    const byCall = new Map(batch.map((c) => [c.callId, c]));
    for (const f of diagnose({ calls: batch, allCalls: all, options, ...(media === undefined ? {} : { media }) })) {
      const call = byCall.get(f.callId);
      if (call === undefined) throw new Error(`finding for call ${f.callId}, which was not diagnosed`);
      pos = call.index === last ? pos + 1 : 0;
      last = call.index;
      findings.push(f);
      rows.push({ idx: call.index, pos, code: f.code, severity: f.severity, json: JSON.stringify(f) });
    }
    for (const call of batch) call.kept = lights.get(call.index) ?? [];
  }
  for (const call of all) call.kept = null;
  return { findings, rows };
}
