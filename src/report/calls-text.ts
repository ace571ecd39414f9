/**
 * Plain-text views of calls for a person at a terminal: a table that fits the
 * width, and the shell's one-line-per-conversation listing. Every payload
 * string passes through the sanitiser.
 */
import { toIso, type Timestamp } from '../core/time.js';
import { safeInline } from '../core/sanitize.js';
import type { Call } from '../calls/call.js';

/** `2018-04-16 15:49:30.333525` — full date, because captures cross midnight. */
export function shortTime(t: Timestamp): string {
  return toIso(t).replace('T', ' ').replace('Z', '');
}

function outcome(call: Call): string {
  return call.finalStatus === null ? '-' : String(call.finalStatus);
}

interface Column {
  title: string;
  cell: (c: Call) => string;
  /** Columns that may shrink (with an ellipsis) when the terminal is narrow. */
  flexible?: boolean;
  right?: boolean;
}

const COLUMNS: Column[] = [
  { title: 'IDX', cell: (c) => String(c.index), right: true },
  { title: 'START (UTC)', cell: (c) => shortTime(c.start) },
  { title: 'METHOD', cell: (c) => c.firstMethod ?? '-' },
  { title: 'FROM', cell: (c) => c.from, flexible: true },
  { title: 'TO', cell: (c) => c.to, flexible: true },
  { title: 'STATUS', cell: outcome, right: true },
  { title: 'MSGS', cell: (c) => String(c.messages), right: true },
  { title: 'RTX', cell: (c) => String(c.retransmissions), right: true },
  { title: 'CALL-ID', cell: (c) => c.callId, flexible: true },
];

function fit(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** A table of calls; flexible columns shrink to keep each line within `width`. */
export function renderCallsTable(calls: readonly Call[], width = 120): string {
  const parts: string[] = [];
  writeCallsTable(calls, width, (text) => parts.push(text));
  return parts.join('');
}

/**
 * `renderCallsTable` written in pieces of about 64 KiB. Cells are made twice (for
 * the widths, then for the lines) rather than held: 270 000 calls would hold
 * 2.4 million strings at once.
 */
export function writeCallsTable(calls: readonly Call[], width: number, write: (text: string) => void): void {
  const widths = COLUMNS.map((col) => col.title.length);
  for (const c of calls) {
    for (let i = 0; i < COLUMNS.length; i++) widths[i] = Math.max(widths[i]!, safeInline(COLUMNS[i]!.cell(c)).length);
  }
  const gap = 2;
  let total = widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  // Shrink the widest flexible column first, down to 8 characters, until the table fits.
  while (total > width) {
    let widest = -1;
    COLUMNS.forEach((col, i) => {
      if (col.flexible && widths[i]! > 8 && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
    total--;
  }
  const line = (cells: string[]): string =>
    cells.map((text, i) => {
      const t = fit(text, widths[i]!);
      return COLUMNS[i]!.right ? t.padStart(widths[i]!) : t.padEnd(widths[i]!);
    }).join(' '.repeat(gap)).trimEnd() + '\n';
  let chunk = line(COLUMNS.map((c) => c.title));
  for (const c of calls) {
    chunk += line(COLUMNS.map((col) => safeInline(col.cell(c))));
    if (chunk.length > 65536) {
      write(chunk);
      chunk = '';
    }
  }
  write(chunk);
}

/** The shell's `show conversations` line: `[IDX] TIME: METHOD FROM->TO`. */
export function conversationLine(call: Call): string {
  return safeInline(`[${call.index}] ${shortTime(call.start)}: ${call.firstMethod ?? '-'} ${call.from}->${call.to}`);
}
