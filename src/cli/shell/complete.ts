/**
 * Tab completion for the shell, the same grammar as the commands: command
 * and sub-command words, filter types, header names after `has`, Call-IDs and
 * indexes where a conversation is expected, interfaces after `capture start`,
 * and file paths after `load` / `export`. Pure apart from listing a directory
 * and the interfaces, so readline only adapts `complete()`.
 */
import { readdirSync, statSync } from 'node:fs';
import { networkInterfaces, homedir } from 'node:os';
import { FILTER_TYPES } from '../../calls/filter.js';
import { CONVERSATION_COMMANDS, FILTER_COMMANDS, GENERAL_COMMANDS } from './commands.js';
import { HELP_TOPICS } from './help.js';
import type { Session } from './session.js';
import type { Call } from '../../calls/call.js';
import { resolveWord } from './suggest.js';
import { splitWords } from './tokens.js';

/** Headers worth filtering on, offered after `add has` before any capture is loaded. */
const COMMON_HEADERS = [
  'diversion', 'history-info', 'p-asserted-identity', 'p-preferred-identity', 'remote-party-id', 'privacy',
  'contact', 'via', 'route', 'record-route', 'supported', 'require', 'allow', 'user-agent', 'server',
  'session-expires', 'reason', 'warning', 'content-type', 'refer-to', 'referred-by', 'replaces',
  'authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate', 'expires', 'event',
  'identity', 'p-charging-vector', 'p-access-network-info', 'x-asterisk-hangupcause',
];

/** Enough to complete any Call-ID prefix; a listing beyond this is noise anyway. */
const MAX_CALL_CANDIDATES = 5000;

/** `[candidates, the word being completed]`, readline's completer contract. */
export function complete(session: Session, line: string): [string[], string] {
  const words = splitWords(line);
  const partial = line === '' || /\s$/.test(line) ? '' : (words.pop() ?? '');
  const candidates = candidatesAfter(session, session.context.kind, words, partial);
  const lower = partial.toLowerCase();
  const hits = [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(lower)).sort();
  return [hits, partial];
}

function candidatesAfter(session: Session, kind: string, words: string[], partial: string): string[] {
  if (kind === 'filter') return filterWords(session, words);
  if (kind === 'conversation') {
    if (words.length === 0) return Object.keys(CONVERSATION_COMMANDS);
    const call = session.context.kind === 'conversation' ? session.context.call : undefined;
    if (word(words[0]!, Object.keys(CONVERSATION_COMMANDS)) === 'show' && call) return callViewWords(words.slice(1), messageCount(call));
    return [];
  }
  if (words.length === 0) return Object.keys(GENERAL_COMMANDS);
  const rest = words.slice(1);
  switch (word(words[0]!, Object.keys(GENERAL_COMMANDS))) {
    case 'load':
    case 'export':
      return paths(partial);
    case 'capture':
      if (rest.length === 0) return ['start', 'stop'];
      return rest.length === 1 && word(rest[0]!, ['start', 'stop']) === 'start' ? ['any', ...Object.keys(networkInterfaces())] : [];
    case 'hep':
      if (rest.length === 0) return ['start', 'stop'];
      return word(rest[0]!, ['start', 'stop']) === 'start' && rest.length % 2 === 1 ? ['--udp', '--tcp', '--auth'] : [];
    case 'filter':
      return filterWords(session, rest);
    case 'conversation':
    case 'diagnose':
      return rest.length === 0 ? callSelectors(session, partial) : [];
    case 'help':
      return rest.length === 0 ? [...HELP_TOPICS] : [];
    case 'show':
      return showWords(session, rest, partial);
    default:
      return [];
  }
}

function showWords(session: Session, rest: string[], partial: string): string[] {
  if (rest.length === 0) return ['conversations', 'conversation', 'filter'];
  const sub = word(rest[0]!, ['conversations', 'conversation', 'filter']);
  if (sub === 'conversations') return rest.length === 1 ? ['sorted'] : [];
  if (sub !== 'conversation') return [];
  if (rest.length === 1) return callSelectors(session, partial);
  const call = session.findCall(rest[1]!);
  return call ? callViewWords(rest.slice(2), messageCount(call)) : [];
}

function callViewWords(rest: string[], messageCount: number): string[] {
  if (rest.length === 0) return ['messages', 'message', 'ladder'];
  if (rest.length === 1 && word(rest[0]!, ['messages', 'message', 'ladder']) === 'message') {
    return Array.from({ length: messageCount }, (_, i) => String(i));
  }
  return [];
}

function filterWords(session: Session, words: string[]): string[] {
  if (words.length === 0) return Object.keys(FILTER_COMMANDS);
  const rest = words.slice(1);
  switch (word(words[0]!, Object.keys(FILTER_COMMANDS))) {
    case 'add':
      if (rest.length === 0) return [...FILTER_TYPES];
      if (word(rest[0]!, FILTER_TYPES) === 'has') return headerNames(session);
      return [];
    case 'del': {
      const clauses = session.filter.clauses;
      if (rest.length === 0) return clauses.map((c) => c.type);
      return clauses.filter((c) => c.type === rest[0]!.toLowerCase()).flatMap((c) => c.values);
    }
    case 'set':
      if (rest.length === 0) return ['condition'];
      return rest.length === 1 ? ['and', 'or'] : [];
    case 'help':
      return rest.length === 0 ? [...HELP_TOPICS, ...FILTER_TYPES] : [];
    default:
      return [];
  }
}

function headerNames(session: Session): string[] {
  const names = new Set(COMMON_HEADERS);
  for (const call of session.store.calls()) for (const n of call.facts.headerNames) names.add(n);
  return [...names];
}

/** Call-IDs, and indexes once a digit is typed (listing 0..N on an empty Tab helps nobody). */
function callSelectors(session: Session, partial: string): string[] {
  const out: string[] = [];
  const calls = session.store.calls();
  for (const c of calls) {
    if (c.callId.toLowerCase().startsWith(partial.toLowerCase())) out.push(c.callId);
    if (out.length >= MAX_CALL_CANDIDATES) break;
  }
  if (/^\d+$/.test(partial)) {
    for (let i = 0; i < calls.length && out.length < MAX_CALL_CANDIDATES * 2; i++) {
      if (String(i).startsWith(partial)) out.push(String(i));
    }
  }
  return out;
}

/** Entries of the directory the partial path names; directories end in `/` so Tab can go on. */
function paths(partial: string): string[] {
  const slash = partial.lastIndexOf('/');
  const dirPart = slash < 0 ? '' : partial.slice(0, slash + 1);
  const dir = dirPart === '' ? '.' : dirPart.startsWith('~/') ? homedir() + dirPart.slice(1) : dirPart;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const showHidden = partial.slice(slash + 1).startsWith('.');
  return names
    .filter((n) => showHidden || !n.startsWith('.'))
    .map((n) => {
      let isDir = false;
      try {
        isDir = statSync(`${dir}/${n}`).isDirectory();
      } catch {
        // A dangling link is still a name worth offering.
      }
      return dirPart + n + (isDir ? '/' : '');
    });
}

function word(w: string, choices: readonly string[]): string | undefined {
  return resolveWord(w, choices).word;
}

/** Messages of a call for completing `message N`, without reading files again (the kept ones, else the count seen). */
function messageCount(call: Call): number {
  return call.kept?.length ?? call.messages;
}
