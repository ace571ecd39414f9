/**
 * Draws a ladder model for a terminal: one lifeline per endpoint, two lines per
 * message (time and label, then the arrow). Unicode box drawing or plain ASCII;
 * colours only when asked (the CLI asks on a TTY). Width-aware: columns narrow
 * to fit `width` (long addresses move to a lettered legend, labels are cut with
 * an ellipsis); when even narrow columns do not fit, the ladder is written as
 * one line per message (`A -> B  INVITE`), which wraps cleanly at any width.
 *
 * Every string from a payload goes through the sanitiser, and in ASCII mode
 * non-ASCII characters become `?` so columns stay aligned on any terminal.
 */
import { createColors } from 'picocolors';
import { safeInline } from '../core/sanitize.js';
import type { Ladder, LadderArrow } from './ladder.js';
import { maxOf } from '../core/max.js';

export interface LadderTextOptions {
  /** Terminal columns to fit (default 80). */
  width?: number;
  /** Box-drawing characters (default) or 7-bit ASCII. */
  unicode?: boolean;
  color?: boolean;
}

interface Glyphs {
  life: string; line: string; dashed: string; cross: string; dashedCross: string;
  startRight: string; startLeft: string; loopTop: string; loopBottom: string; ellipsis: string;
}

const UNICODE: Glyphs = {
  life: '│', line: '─', dashed: '╌', cross: '┼', dashedCross: '┼',
  startRight: '├', startLeft: '┤', loopTop: '┐', loopBottom: '┘', ellipsis: '…',
};
const ASCII: Glyphs = {
  life: '|', line: '-', dashed: '.', cross: '+', dashedCross: '+',
  startRight: '+', startLeft: '+', loopTop: '+', loopBottom: '+', ellipsis: '~',
};

/** Relative time, right-aligned, then a space: `   12.345 `. */
const TIME_WIDTH = 10;
/** Narrowest column that still shows a status code and an arrow head. */
const MIN_SPACING = 9;
/** Columns wider than this only add empty space. */
const MAX_SPACING = 40;

type Style = 'plain' | 'request' | 'ok' | 'provisional' | 'error' | 'repeat' | 'sdp' | 'dim';
interface Cell { ch: string; style: Style }

export function renderLadderText(ladder: Ladder, opts: LadderTextOptions = {}): string {
  const width = Math.max(20, opts.width ?? 80);
  const g = opts.unicode === false ? ASCII : UNICODE;
  const clean = (s: string): string => printable(s, opts.unicode !== false);
  const paint = painter(opts.color === true);
  const n = Math.max(1, ladder.endpoints.length);
  const ideal = Math.max(maxOf(ladder.arrows.map((a) => clean(arrowText(a)).length + 6)), maxOf(ladder.endpoints.map((e) => e.address.length + 2)), MIN_SPACING);
  const spacing = Math.min(MAX_SPACING, ideal, Math.floor((width - TIME_WIDTH) / n));
  const title = paint('dim', clean(`Call-ID ${ladder.callId}`)) + '\n';
  if (spacing < MIN_SPACING) return title + renderList(ladder, clean, paint, g);

  // Addresses must show whole or move to the legend; product names are only cut.
  const fits = ladder.endpoints.every((e) => e.address.length < spacing);
  const letters = ladder.endpoints.map((_, i) => columnLetter(i));
  // The first lifeline sits just right of the time column, leaving room for half a heading.
  const widest = fits ? maxOf(ladder.endpoints.map((e) => Math.min(spacing - 1, Math.max(e.address.length, clean(e.name ?? '').length)))) : 2;
  const half = Math.min(Math.floor(spacing / 2), Math.ceil(widest / 2));
  const center = (col: number): number => TIME_WIDTH + col * spacing + half;
  const total = Math.min(width, center(n - 1) + spacing);
  const lines: string[] = [title];
  if (!fits) {
    for (const [i, e] of ladder.endpoints.entries()) lines.push(paint('dim', cut(clean(`${letters[i]} ${e.address}${e.name ? ` ${e.name}` : ''}`), width, g)) + '\n');
  }
  const heading = (texts: string[]): string => {
    const row = blank(total);
    texts.forEach((t, i) => put(row, Math.max(0, center(i) - Math.floor(t.length / 2)), cut(t, spacing - 1, g), 'plain'));
    return join(row, paint).trimEnd();
  };
  lines.push(heading(fits ? ladder.endpoints.map((e) => e.address) : letters) + '\n');
  if (fits && ladder.endpoints.some((e) => e.name !== null)) lines.push(heading(ladder.endpoints.map((e) => clean(e.name ?? ''))) + '\n');
  const lifelines = (): Cell[] => {
    const row = blank(total);
    for (let i = 0; i < n; i++) row[center(i)] = { ch: g.life, style: 'dim' };
    return row;
  };
  lines.push(join(lifelines(), paint).trimEnd() + '\n');
  for (const a of ladder.arrows) {
    const style = arrowStyle(a);
    const label = lifelines();
    put(label, 0, a.at.toFixed(3).padStart(TIME_WIDTH - 1), 'dim');
    const left = Math.min(center(a.from), center(a.to));
    const right = a.from === a.to ? Math.min(total, left + spacing) : Math.max(center(a.from), center(a.to));
    put(label, left + 2, cut(clean(arrowText(a)), right - left - 3, g), style);
    lines.push(join(label, paint).trimEnd() + '\n');
    lines.push(join(arrowRow(a, lifelines(), center, g, style), paint).trimEnd() + '\n');
  }
  return lines.join('');
}

/** The arrow line: start mark at the sender, line across, head at the receiver. */
function arrowRow(a: LadderArrow, row: Cell[], center: (c: number) => number, g: Glyphs, style: Style): Cell[] {
  const dashed = a.repeat !== null;
  const from = center(a.from);
  const to = center(a.to);
  if (from === to) {
    // A message to itself (loopback, a B2BUA talking to its own port): a small hook.
    put(row, from + 1, `<${g.line}${g.loopBottom}`, style);
    return row;
  }
  const step = to > from ? 1 : -1;
  for (let x = from + step; x !== to; x += step) {
    const crossing = row[x]!.ch === g.life;
    row[x] = { ch: crossing ? (dashed ? g.dashedCross : g.cross) : dashed ? g.dashed : g.line, style };
  }
  row[from] = { ch: step > 0 ? g.startRight : g.startLeft, style };
  row[to - step] = { ch: step > 0 ? '>' : '<', style };
  return row;
}

/** Label plus its marks, e.g. `INVITE (SDP offer) [retransmission]`. */
export function arrowText(a: LadderArrow): string {
  let text = a.label;
  if (a.sdp !== null) text += ` (SDP ${a.sdp})`;
  if (a.repeat === 'retransmission') text += ' [rtx]';
  else if (a.repeat === 'duplicate') text += ' [dup]';
  return text;
}

function arrowStyle(a: LadderArrow): Style {
  if (a.repeat !== null) return 'repeat';
  if (a.status === null) return 'request';
  if (a.status < 200) return 'provisional';
  return a.status < 300 ? 'ok' : 'error';
}

/** Too narrow for lifelines: one line per message, endpoints named by letter. */
function renderList(ladder: Ladder, clean: (s: string) => string, paint: (s: Style, t: string) => string, g: Glyphs): string {
  const lines = ladder.endpoints.map((e, i) => paint('dim', clean(`${columnLetter(i)} ${e.address}${e.name ? ` ${e.name}` : ''}`)));
  // Lines here may run past the width: the terminal wraps them, nothing is lost.
  for (const a of ladder.arrows) {
    const arrow = `${columnLetter(a.from)} ${g === ASCII ? '->' : '→'} ${columnLetter(a.to)}`;
    lines.push(`${paint('dim', a.at.toFixed(3).padStart(TIME_WIDTH - 1))} ${arrow}  ${paint(arrowStyle(a), clean(arrowText(a)))}`);
  }
  return lines.join('\n') + '\n';
}

/** A, B, …, Z, AA, AB, … */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function printable(s: string, unicode: boolean): string {
  const safe = safeInline(s);
  return unicode ? safe : safe.replace(/[^\x20-\x7e]/g, '?');
}

function cut(text: string, max: number, g: Glyphs): string {
  if (max <= 0) return '';
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + g.ellipsis;
}

function blank(width: number): Cell[] {
  return Array.from({ length: width }, () => ({ ch: ' ', style: 'plain' as Style }));
}

function put(row: Cell[], at: number, text: string, style: Style): void {
  const chars = [...text];
  for (let i = 0; i < chars.length && at + i < row.length; i++) row[at + i] = { ch: chars[i]!, style };
}

function join(row: Cell[], paint: (s: Style, t: string) => string): string {
  let out = '';
  let run = '';
  let style: Style = 'plain';
  for (const c of row) {
    if (c.style !== style && run !== '') {
      out += paint(style, run);
      run = '';
    }
    style = c.style;
    run += c.ch;
  }
  return out + paint(style, run);
}

function painter(enabled: boolean): (style: Style, text: string) => string {
  const c = createColors(enabled);
  const by: Record<Style, (t: string) => string> = {
    plain: (t) => t, request: c.cyan, ok: c.green, provisional: c.yellow, error: c.red,
    repeat: c.dim, sdp: c.magenta, dim: c.dim,
  };
  // Spaces stay unpainted so trimEnd() and copy-paste behave.
  return (style, text) => (!enabled || text.trim() === '' ? text : by[style](text));
}
