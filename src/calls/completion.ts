/**
 * When is a live call over? `sipv capture` and `sipv hep` print one NDJSON
 * line per call as it completes, so a pipe (`| jq`) sees calls while the
 * capture runs. A call completes at the first of:
 *
 * - `final`: a final response (≥ 200) to the call's initial request — except
 *   401/407 (the client retries with credentials in a new transaction, RFC 3261
 *   §22.2) and except a 2xx to INVITE (the dialog lasts until BYE);
 *   a ≥ 300 to a re-INVITE of an answered call does not end it either;
 * - `bye`: a final response to BYE;
 * - `idle`: no message for the idle time (default 32 s, Timer B/F = 64·T1);
 * - `end`: the capture stops with the call still open;
 * - `cap`: more than `maxTracked` calls are open (the calls cap, --max-calls):
 *   the oldest open one completes as it stands.
 *
 * Messages after completion (the ACK of a 486, a retransmitted 200) do not
 * complete it again. Pure: the caller passes the clock and finds the call.
 */
import { getHeader } from '../sip/headers.js';
import type { Call } from './call.js';
import type { CapturedMessage } from './captured-message.js';

export type CompletionReason = 'final' | 'bye' | 'idle' | 'end' | 'cap';
export type LiveState = 'active' | 'answered' | 'done';

export const DEFAULT_IDLE_MS = 32_000;

export interface CompletionOptions {
  /** The call a message was just stored into (the store has seen it first). */
  find: (callId: string) => Call | undefined;
  onComplete: (call: Call, reason: CompletionReason) => void;
  idleMs?: number;
  /** How many recently active calls `recent()` returns. */
  recent?: number;
  /**
   * Open calls, and completed Call-IDs remembered, at most (the calls cap): a
   * collector runs for days, and neither may grow without bound. Unbounded when absent.
   */
  maxTracked?: number;
}

interface Open {
  call: Call;
  lastMs: number;
  answered: boolean;
}

export class CompletionTracker {
  private readonly open = new Map<string, Open>();
  /** Completed Call-IDs, with their state for the rolling view. */
  private readonly finished = new Set<string>();
  private recentCalls: Call[] = [];
  private readonly idleMs: number;
  private readonly recentMax: number;
  private readonly maxTracked: number;
  completed = 0;

  constructor(private readonly options: CompletionOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.recentMax = options.recent ?? 8;
    this.maxTracked = options.maxTracked ?? Infinity;
  }

  /** After `store.add(m)`. */
  observe(m: CapturedMessage, nowMs: number): void {
    const msg = m.msg;
    const callId = getHeader(msg, 'call-id') ?? '';
    const call = this.options.find(callId);
    if (call === undefined) return;
    this.touch(call);
    if (this.finished.has(callId)) return;
    let state = this.open.get(callId);
    if (state === undefined) {
      state = { call, lastMs: nowMs, answered: false };
      this.open.set(callId, state);
      if (this.open.size > this.maxTracked) {
        // Maps iterate in insertion order: the first entry is the call opened longest ago.
        const [oldId, oldest] = this.open.entries().next().value as [string, Open];
        this.complete(oldId, oldest, 'cap');
      }
    }
    state.lastMs = nowMs;
    if (msg.kind !== 'response' || msg.status < 200) return;
    const method = cseqMethod(getHeader(msg, 'cseq') ?? '');
    if (method === 'BYE') return this.complete(callId, state, 'bye');
    if (method !== call.firstMethod || msg.status === 401 || msg.status === 407) return;
    if (method === 'INVITE') {
      if (msg.status < 300) state.answered = true;
      else if (!state.answered) this.complete(callId, state, 'final');
      return;
    }
    this.complete(callId, state, 'final');
  }

  /** Completes the calls idle for longer than the idle time; call it every second or so. */
  sweep(nowMs: number): void {
    for (const [callId, state] of this.open) {
      if (nowMs - state.lastMs >= this.idleMs) this.complete(callId, state, 'idle');
    }
  }

  /** The capture ended: every open call completes, in arrival order. */
  flush(): void {
    const left = [...this.open].sort((a, b) => a[1].call.index - b[1].call.index);
    for (const [callId, state] of left) this.complete(callId, state, 'end');
  }

  state(call: Call): LiveState {
    if (this.finished.has(call.callId)) return 'done';
    return this.open.get(call.callId)?.answered ? 'answered' : 'active';
  }

  /** The most recently active calls, oldest first. */
  recent(): readonly Call[] {
    return this.recentCalls;
  }

  private touch(call: Call): void {
    const r = this.recentCalls;
    if (r[r.length - 1] === call) return;
    const next = r.filter((c) => c !== call);
    next.push(call);
    if (next.length > this.recentMax) next.shift();
    this.recentCalls = next;
  }

  private complete(callId: string, state: Open, reason: CompletionReason): void {
    this.open.delete(callId);
    this.finished.add(callId);
    if (this.finished.size > this.maxTracked) this.finished.delete(this.finished.values().next().value as string);
    this.completed++;
    this.options.onComplete(state.call, reason);
  }
}

function cseqMethod(cseq: string): string {
  const space = cseq.lastIndexOf(' ');
  return (space < 0 ? cseq : cseq.slice(space + 1)).trim().toUpperCase();
}
