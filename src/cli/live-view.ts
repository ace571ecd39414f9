/**
 * What `sipv capture` and `sipv hep` show while they run. On a terminal
 * (stderr): the most recent calls redrawn in place above the status line,
 * at most ten redraws a second and only when something changed, each line
 * sanitised and cut to the width. When stdout is not a terminal: one NDJSON
 * line (the `calls --json` object) per call as it completes — see
 * calls/completion.ts for when that is — so `sipv capture | jq` works live.
 */
import type { Call } from '../calls/call.js';
import type { CapturedMessage } from '../calls/captured-message.js';
import { CompletionTracker } from '../calls/completion.js';
import type { CallStore } from '../calls/store.js';
import { safeInline } from '../core/sanitize.js';
import { callToJson } from '../report/json.js';
import { fitWidth, renderLiveRows } from '../report/live-view.js';
import type { Io } from './io.js';

export interface LiveViewOptions {
  /** One NDJSON line per completed call on stdout. */
  ndjson: boolean;
  /** The rolling list of recent calls above the status line (drawn only when stderr is a terminal). */
  rows: boolean;
  /** The status line; drawn only when stderr is a terminal. */
  status: () => string;
  /** A call with no message for this long completes (NDJSON); default 32 s. */
  idleMs?: number;
  /** Rows in the rolling view. */
  recent?: number;
  /** Calls tracked for completion at most (the calls cap): see CompletionOptions.maxTracked. */
  maxTracked?: number;
}

const REDRAW_MS = 100;
const SWEEP_MS = 1000;

export class LiveView {
  private readonly tracker: CompletionTracker;
  private readonly timers: NodeJS.Timeout[] = [];
  private drawnLines = 0;
  private lastDrawn = '';

  constructor(private readonly store: CallStore, private readonly io: Io, private readonly options: LiveViewOptions) {
    this.tracker = new CompletionTracker({
      find: (id) => store.find(id),
      onComplete: (call) => this.completed(call),
      ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
      ...(options.recent === undefined ? {} : { recent: options.recent }),
      ...(options.maxTracked === undefined ? {} : { maxTracked: options.maxTracked }),
    });
  }

  /** A store that tells this view about every message it is given (for feeds that take a store). */
  tap(): CallStore {
    const tapped = Object.create(this.store) as CallStore;
    tapped.add = (m: CapturedMessage): void => {
      this.store.add(m);
      this.observe(m);
    };
    return tapped;
  }

  /** After `store.add(m)`. */
  observe(m: CapturedMessage): void {
    this.tracker.observe(m, Date.now());
  }

  /** A line of its own on stderr (a warning while running): the view is redrawn below it. */
  notice(text: string): void {
    this.clear();
    this.io.err(text.endsWith('\n') ? text : text + '\n');
  }

  start(): void {
    if (this.options.ndjson) this.timers.push(setInterval(() => this.tracker.sweep(Date.now()), SWEEP_MS));
    if (this.io.errIsTty) this.timers.push(setInterval(() => this.draw(), REDRAW_MS));
  }

  /** Stops redrawing, clears the view, and completes (prints) the calls still open. */
  finish(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    this.clear();
    if (this.options.ndjson) this.tracker.flush();
  }

  private completed(call: Call): void {
    if (this.options.ndjson) this.io.out(JSON.stringify(callToJson(call)) + '\n');
  }

  private width(): number {
    return this.io.columns > 0 ? this.io.columns - 1 : 119;
  }

  private draw(): void {
    const width = this.width();
    const rows = this.options.rows ? renderLiveRows(this.tracker.recent(), (c) => this.tracker.state(c), width) : [];
    const status = fitWidth(safeInline(this.options.status()), width);
    const frame = [...rows, status].join('\n');
    if (frame === this.lastDrawn) return;
    this.lastDrawn = frame;
    let text = this.drawnLines > 1 ? `\x1b[${this.drawnLines - 1}A` : '';
    for (const row of rows) text += `\r\x1b[K${row}\n`;
    text += `\r\x1b[K${status}\x1b[J`;
    this.drawnLines = rows.length + 1;
    this.io.err(text);
  }

  private clear(): void {
    if (this.drawnLines === 0) return;
    this.io.err(`${this.drawnLines > 1 ? `\x1b[${this.drawnLines - 1}A` : ''}\r\x1b[J`);
    this.drawnLines = 0;
    this.lastDrawn = '';
  }
}
