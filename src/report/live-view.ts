/**
 * The rolling view of `sipv capture` / `sipv hep` on a terminal: the most
 * recently active calls, one line each, above the status line — like
 * sngrep's call list. Pure: calls in, lines out, each sanitised and cut to
 * the terminal width so a redraw in place never wraps.
 */
import { safeInline } from '../core/sanitize.js';
import type { Call } from '../calls/call.js';
import type { LiveState } from '../calls/completion.js';
import { shortTime } from './calls-text.js';

function stateText(call: Call, state: LiveState): string {
  const status = call.finalStatus === null ? '' : ` ${call.finalStatus}`;
  return state === 'done' ? `done${status}` : state === 'answered' ? `answered${status}` : `active${status}`;
}

/** Cuts a line to `width` characters, with an ellipsis when something was cut. */
export function fitWidth(line: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...line];
  if (chars.length <= width) return line;
  return width === 1 ? chars[0]! : chars.slice(0, width - 1).join('') + '…';
}

/** One line per call, oldest first: `IDX  TIME  METHOD FROM -> TO  STATE  MSGS  CALL-ID`. */
export function renderLiveRows(calls: readonly Call[], stateOf: (c: Call) => LiveState, width: number): string[] {
  return calls.map((c) => {
    const time = shortTime(c.start).slice(11, 23);
    const line = `${String(c.index).padStart(4)}  ${time}  ${(c.firstMethod ?? '-').padEnd(8)} ${c.from || '-'} -> ${c.to || '-'}  ` +
      `${stateText(c, stateOf(c)).padEnd(12)} ${String(c.messages).padStart(3)} msgs  ${c.callId}`;
    return fitWidth(safeInline(line), width);
  });
}
