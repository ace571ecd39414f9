/**
 * Terminal output is sanitised: payload bytes come from customers, broken
 * routers and attackers, and an ESC or a C1 control in a header must not move
 * the cursor, retitle the window or hide text. Controls become visible
 * `\xHH` escapes; line ends are normalised to `\n` where lines are allowed.
 */

// C0 controls, DEL, C1 controls, and the Unicode bidi overrides/isolates that
// can reorder what the reader sees (the "Trojan Source" characters).
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_WITH_LINES = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text: every control (including line breaks) shown as an escape. */
export function safeInline(text: string): string {
  return text.replace(UNSAFE_WITH_LINES, escape);
}

/** Multi-line text such as a whole SIP message: CRLF/LF kept as `\n`, tabs kept, other controls escaped. */
export function safeBlock(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE, (ch) => (ch === '\t' ? ch : ch === '\r' ? '\\r' : escape(ch)));
}
