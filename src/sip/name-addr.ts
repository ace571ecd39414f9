/**
 * From / To / Contact / Route / Refer-To / P-Asserted-Identity values
 * (RFC 3261 §20.10, §25.1):
 *
 *   ( name-addr / addr-spec ) *( SEMI param )
 *   name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 *
 * Without angle brackets the URI ends at the first ';' and every parameter
 * belongs to the header, not the URI (§20.10) — a tag in `From: sip:a@b;tag=1`
 * is a From tag. `Contact: *` (§10.2.2, REGISTER removing all bindings) is its
 * own shape. Display names may be quoted with backslash escapes or bare tokens.
 * Never throws; issue offsets are character offsets into the value.
 */
import { issue, type Issue } from '../core/issue.js';
import { parseUri, readParams, type SipUri } from './uri.js';

export interface NameAddr {
  raw: string;
  /** `Contact: *`. */
  star: boolean;
  /** Display name without quotes, escapes resolved; undefined when absent. */
  displayName?: string;
  /** True for the `<uri>` form. */
  bracketed: boolean;
  uri: SipUri;
  /** Header parameters (tag, expires, q, ...), names lower-cased. */
  params: Record<string, string | null>;
  issues: Issue[];
}

/** Parse one element (already split from a comma list) of an address header. */
export function parseNameAddr(value: string): NameAddr {
  const s = value.trim();
  const params: Record<string, string | null> = Object.create(null);
  const issues: Issue[] = [];
  if (s === '*') {
    const uri: SipUri = { raw: '*', scheme: '', host: '', params: Object.create(null), headers: Object.create(null), issues: [] };
    return { raw: s, star: true, bracketed: false, uri, params, issues };
  }

  let i = 0;
  let displayName: string | undefined;
  if (s[0] === '"') {
    const q = readQuoted(s, 0);
    displayName = q.text;
    i = q.end;
    if (!q.closed) {
      issues.push(issue('sip.name-addr-unclosed-quote', 'display name has no closing quote', 0));
      // Recover: a '<' later on most likely starts the URI.
      const lt = s.indexOf('<', 1);
      if (lt > 0) { displayName = s.slice(1, lt).trim(); i = lt; }
    }
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== '<' && i < s.length) {
      issues.push(issue('sip.name-addr-no-angle', 'quoted display name not followed by "<"', i));
    }
  }

  const lt = s.indexOf('<', i);
  let uriText: string, uriStart: number, after: number;
  let bracketed = false;
  if (lt >= 0) {
    bracketed = true;
    if (displayName === undefined) {
      const bare = s.slice(0, lt).trim();
      if (bare !== '') displayName = bare;
    }
    const gt = s.indexOf('>', lt + 1);
    uriStart = lt + 1;
    if (gt < 0) {
      issues.push(issue('sip.name-addr-unclosed-angle', 'URI has no closing ">"', lt));
      uriText = s.slice(lt + 1);
      after = s.length;
    } else {
      uriText = s.slice(lt + 1, gt);
      after = gt + 1;
    }
  } else {
    // addr-spec: the URI ends at the first ';' (§20.10).
    while (s[i] === ' ' || s[i] === '\t') i++;
    const semi = s.indexOf(';', i);
    uriStart = i;
    uriText = s.slice(i, semi < 0 ? s.length : semi);
    after = semi < 0 ? s.length : semi;
  }

  while (s[after] === ' ' || s[after] === '\t') after++;
  if (s[after] === ';') readParams(params, s, after + 1);
  else if (after < s.length) issues.push(issue('sip.name-addr-junk', `unexpected "${s.slice(after)}" after the address`, after));

  const uri = parseUri(uriText);
  for (const u of uri.issues) issues.push(u.offset === undefined ? u : { ...u, offset: u.offset + uriStart });
  const out: NameAddr = { raw: s, star: false, bracketed, uri, params, issues };
  if (displayName !== undefined) out.displayName = displayName;
  return out;
}

/** Quoted string at `start` (which is '"'): text with quoted-pairs resolved (§25.1). */
export function readQuoted(s: string, start: number): { text: string; end: number; closed: boolean } {
  let text = '';
  let i = start + 1;
  let from = i;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      text += s.slice(from, i);
      from = i + 1; // keep the escaped char, drop the backslash
      i += 2;
    } else if (c === '"') {
      return { text: text + s.slice(from, i), end: i + 1, closed: true };
    } else {
      i++;
    }
  }
  return { text: text + s.slice(from), end: s.length, closed: false };
}
