/**
 * The shell's commands: one table per context, one small handler per
 * command. A handler reads its words, changes the Session and writes through
 * the Io it is given — the REPL, scripts and tests all drive this same
 * dispatcher. A mistake is a ShellError (one line for the user), never a
 * crash: the original died on `show conversation 0 message abc`.
 */
import { homedir } from 'node:os';
import { FILTER_TYPES, FilterSyntaxError, describeFilter, isFilterType, parseClause, type FilterClause } from '../../calls/filter.js';
import { canonicalName } from '../../sip/compact.js';
import { conversationLine } from '../../report/calls-text.js';
import { messageLine } from '../../report/messages-text.js';
import { loadInputs } from '../../ingest/load.js';
import { safeInline } from '../../core/sanitize.js';
import type { Call } from '../../calls/call.js';
import { CliError, type Io } from '../io.js';
import { reportInput, reportRunLimits } from '../inputs.js';
import { totalLine } from '../commands/calls.js';
import { replayStore } from '../call-source.js';
import { progressBar } from '../progress.js';
import { runLiveCapture, summaryLine } from '../live-run.js';
import { describe, hepSummaryLine, runHepCollector } from '../hep-run.js';
import { HEP_PORT, parseListen } from '../commands/hep.js';
import { readKeylogFiles, warnKeylogIssues } from '../keylog-option.js';
import type { ListenAddress } from '../../capture/hep-listener.js';
import { contextHelp, HELP_TOPICS, topicHelp } from './help.js';
import { MessagesUnavailable, messagesOf, type Session } from './session.js';
import { renderShellMessage } from './render.js';
import { diagnoseCalls } from './diagnose.js';
import { exportFiltered } from './export.js';
import { buildLadder } from '../../report/ladder.js';
import { renderLadderText } from '../../report/ladder-text.js';
import { ladderTextOptions } from '../ladder-options.js';
import { closest, resolveWord } from './suggest.js';
import { splitWords } from './tokens.js';

export class ShellError extends Error {
  /** True when the details were already printed (e.g. `sipv: FILE: …` lines); only the failure counts. */
  constructor(message: string, readonly printed = false) {
    super(message);
  }
}

export interface ShellEnv {
  session: Session;
  io: Io;
  /** Aborted by Ctrl-C while a long command (a capture) runs. */
  signal?: AbortSignal;
}

/** `exit` from the general context ends the shell. */
export type Outcome = 'continue' | 'exit';

type Handler = (env: ShellEnv, args: string[]) => Promise<Outcome | void> | Outcome | void;

const NOT_YET = (what: string): Handler => () => {
  throw new ShellError(`${what} is not available yet`);
};

export const GENERAL_COMMANDS: Record<string, Handler> = {
  load, clear, capture, hep, filter: enterFilter, show: showGeneral, conversation: enterConversation,
  diagnose: diagnoseGeneral, export: exportFiltered, ladder: NOT_YET('the ladder diagram'),
  help, exit: () => 'exit', quit: () => 'exit',
};

export const FILTER_COMMANDS: Record<string, Handler> = {
  add, del, set, reset, show: showFilterContext, help, exit: leave, quit: leave,
};

export const CONVERSATION_COMMANDS: Record<string, Handler> = {
  show: showConversationContext, diagnose: diagnoseConversation, help, exit: leave, quit: leave,
};

export function commandsFor(session: Session): Record<string, Handler> {
  const kind = session.context.kind;
  return kind === 'general' ? GENERAL_COMMANDS : kind === 'filter' ? FILTER_COMMANDS : CONVERSATION_COMMANDS;
}

/** Runs one command line. Empty lines do nothing. */
export async function runCommand(env: ShellEnv, line: string): Promise<Outcome> {
  const words = splitWords(line);
  if (words.length === 0) return 'continue';
  return (await runWords(env, words)) ?? 'continue';
}

async function runWords(env: ShellEnv, words: string[]): Promise<Outcome | void> {
  const table = commandsFor(env.session);
  const name = keyword(words[0]!, Object.keys(table), 'command');
  return table[name]!(env, words.slice(1));
}

/** Resolves a (possibly shortened) keyword or throws with the closest one as a hint. */
function keyword(word: string, choices: string[], what: string, prefix = ''): string {
  const r = resolveWord(word, choices);
  if (r.word !== undefined) return r.word;
  if (r.ambiguous) throw new ShellError(`ambiguous ${what} '${prefix}${word}': ${r.ambiguous.map((a) => prefix + a).join(', ')}`);
  const near = closest(word, choices);
  let hint = near === undefined ? ` (type 'help' for the commands)` : ` — did you mean '${prefix}${near}'?`;
  if (near === undefined && what === 'command') hint = elsewhereHint(word) ?? hint;
  throw new ShellError(`unknown ${what} '${prefix}${word}'${hint}`);
}

function elsewhereHint(word: string): string | undefined {
  const w = word.toLowerCase();
  if (w in FILTER_COMMANDS && !(w in GENERAL_COMMANDS)) return ` — '${w}' belongs to the filter context: type 'filter' first`;
  if (w in GENERAL_COMMANDS) return ` — '${w}' works in the general context: type 'exit' first`;
  return undefined;
}

// ── general context ────────────────────────────────────────────────────────

async function load(env: ShellEnv, args: string[]): Promise<void> {
  if (args[0] === '--store') {
    if (args.length !== 2) throw new ShellError("load --store needs one store, e.g. 'load --store calls.duckdb'");
    await replayStore(args[1]!, env.session.store);
    env.io.out(totals(env.session));
    return;
  }
  const { rest: files, keylogs } = takeKeylogs(args, 'load');
  if (files.length === 0) throw new ShellError("load needs a file, e.g. 'load trace.pcap' or 'load --keylog keys.log tls.pcap'");
  const { session, io } = env;
  const keylog = addKeylogs(env, keylogs);
  const progress = progressBar(io);
  const paths = files.map(expandHome);
  const firstSource = session.addSources(paths);
  const summarisedBefore = session.store.summarised.calls;
  const reports = await loadInputs(paths, session.store, { firstSource, onProgress: progress?.update, limits: session.limits, ...(keylog === undefined ? {} : { keylog }) });
  progress?.finish();
  let damaged = false;
  for (const r of reports) if (reportInput(r, io, session.limits)) damaged = true;
  reportRunLimits('', [], session.store, io, session.limits, summarisedBefore);
  session.prepareViews();
  io.out(totals(session));
  if (damaged) throw new ShellError('some input could not be read', true);
}

/** `N conversations (M SIP messages) extracted`, with the calls the cap summarised. */
function totals(session: Session): string {
  const s = session.store;
  return totalLine(s.size, s.messagesSeen, s.summarised.calls) + '\n';
}

/** Pulls `--keylog FILE` (repeatable, anywhere) out of a command's words. */
function takeKeylogs(args: string[], command: string): { rest: string[]; keylogs: string[] } {
  const rest: string[] = [];
  const keylogs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--keylog') {
      rest.push(args[i]!);
      continue;
    }
    const file = args[++i];
    if (file === undefined) throw new ShellError(`${command}: --keylog needs a file (an SSLKEYLOGFILE key log)`);
    keylogs.push(expandHome(file));
  }
  return { rest, keylogs };
}

/** Adds key logs to the session's (later loads and captures use them too); the session's, when it holds any. */
function addKeylogs(env: ShellEnv, files: string[]): Session['keylog'] | undefined {
  const keylog = env.session.keylog;
  const before = keylog.issues.length;
  try {
    readKeylogFiles(files, keylog);
  } catch (e) {
    if (e instanceof CliError) throw new ShellError(e.message);
    throw e;
  }
  warnKeylogIssues(keylog, before, env.io);
  return keylog.size > 0 ? keylog : undefined;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

function clear(env: ShellEnv): void {
  env.session.clear();
  env.io.out('0 conversations (0 SIP messages) extracted\n');
}

async function capture(env: ShellEnv, words: string[]): Promise<void> {
  const { rest: args, keylogs } = takeKeylogs(words, 'capture');
  if (args.length === 0) throw new ShellError("capture needs 'start' (capture start [IFACE] [--keylog FILE]) — Ctrl-C stops it");
  const sub = keyword(args[0]!, ['start', 'stop'], 'capture command', 'capture ');
  // The original crashed here: there is nothing to stop, since a capture holds the prompt until Ctrl-C.
  if (sub === 'stop') throw new ShellError('no capture is running (a capture runs until Ctrl-C)');
  if (args.length > 2) throw new ShellError('capture start takes at most one interface, e.g. capture start eth0');
  const { session, io } = env;
  const iface = args[1];
  const keylog = addKeylogs(env, keylogs);
  if (io.errIsTty) io.err(`capturing on ${iface ?? 'any'} — Ctrl-C stops\n`);
  const summarisedBefore = session.store.summarised.calls;
  try {
    const summary = await runLiveCapture(session.store, {
      ...(iface === undefined ? {} : { iface }),
      ...(keylog === undefined ? {} : { keylog }),
      ...(env.signal === undefined ? {} : { signal: env.signal }),
      limits: session.limits,
    }, io);
    io.out(summaryLine(summary) + '\n');
    reportRunLimits(summary.iface, summary.limitHits, session.store, io, session.limits, summarisedBefore);
  } catch (e) {
    if (e instanceof CliError) throw new ShellError(e.message);
    throw e;
  }
  io.out(totals(session));
}

/** `hep start [--udp HOST:PORT]... [--tcp HOST:PORT]... [--auth KEY]`: a HEP collector into the loaded calls until Ctrl-C. */
async function hep(env: ShellEnv, args: string[]): Promise<void> {
  if (args.length === 0) throw new ShellError("hep needs 'start' (hep start [--udp HOST:PORT] [--tcp HOST:PORT] [--auth KEY]) — Ctrl-C stops it");
  const sub = keyword(args[0]!, ['start', 'stop'], 'hep command', 'hep ');
  if (sub === 'stop') throw new ShellError('no HEP collector is running (a collector runs until Ctrl-C)');
  const udp: ListenAddress[] = [];
  const tcp: ListenAddress[] = [];
  let authKey: string | undefined;
  try {
    for (let i = 1; i < args.length; i += 2) {
      const option = args[i]!;
      const value = args[i + 1];
      if (!['--udp', '--tcp', '--auth'].includes(option)) throw new ShellError(`hep start takes --udp HOST:PORT, --tcp HOST:PORT and --auth KEY, not '${option}'`);
      if (value === undefined || value === '') throw new ShellError(`hep start: ${option} needs a value`);
      if (option === '--udp') udp.push(parseListen(value, option));
      else if (option === '--tcp') tcp.push(parseListen(value, option));
      else authKey = value;
    }
    if (udp.length === 0 && tcp.length === 0) udp.push({ host: '0.0.0.0', port: HEP_PORT });
    const { session, io } = env;
    const summarisedBefore = session.store.summarised.calls;
    const summary = await runHepCollector(session.store, {
      udp, tcp,
      ...(authKey === undefined ? {} : { authKey }),
      ...(env.signal === undefined ? {} : { signal: env.signal }),
      limits: session.limits,
      onListening: (bound) => io.err(`listening for HEP on ${bound.map(describe).join(', ')} — Ctrl-C stops\n`),
    }, io);
    io.out(hepSummaryLine(summary) + '\n');
    reportRunLimits('HEP', summary.limitHits, session.store, io, session.limits, summarisedBefore);
    io.out(totals(session));
  } catch (e) {
    if (e instanceof CliError) throw new ShellError(e.message);
    throw e;
  }
}

async function enterFilter(env: ShellEnv, args: string[]): Promise<Outcome | void> {
  env.session.enter({ kind: 'filter' });
  if (args.length === 0) return;
  // `filter add srcnum 1` runs one filter command without staying in the context.
  try {
    await runWords(env, args);
  } finally {
    env.session.leave();
  }
}

const SHOW_GENERAL = ['conversations', 'conversation', 'filter'];

async function showGeneral(env: ShellEnv, args: string[]): Promise<void> {
  if (args.length === 0) throw new ShellError(`show what? ${SHOW_GENERAL.map((s) => `'show ${s}'`).join(', ')}`);
  const what = keyword(args[0]!, SHOW_GENERAL, 'show command', 'show ');
  if (what === 'filter') return printFilter(env);
  if (what === 'conversations') return showConversations(env, args.slice(1));
  const [selector, ...rest] = args.slice(1);
  if (selector === undefined) throw new ShellError("show conversation needs an index or Call-ID, e.g. 'show conversation 0'");
  await showCall(env, findCall(env, selector), rest, 'show conversation IDX');
}

function showConversations(env: ShellEnv, args: string[]): void {
  if (args.length > 1) throw new ShellError("show conversations takes only 'sorted'");
  const sorted = args.length === 1 && keyword(args[0]!, ['sorted'], 'option', 'show conversations ') === 'sorted';
  const calls = sorted ? env.session.byArrival() : env.session.byCallId();
  // Written a screenful at a time: the first lines of 270 000 appear at once, not after all are formatted.
  for (let i = 0; i < calls.length; i += LINES_PER_WRITE) {
    let text = '';
    for (const c of calls.slice(i, i + LINES_PER_WRITE)) text += conversationLine(c) + '\n';
    env.io.out(text);
  }
}

const LINES_PER_WRITE = 100;

function findCall(env: ShellEnv, selector: string): Call {
  const call = env.session.findCall(selector);
  if (call !== undefined) return call;
  const n = env.session.store.size;
  const range = n === 0 ? "none loaded — 'load FILE' first" : `${n} loaded: give an index 0..${n - 1} or a Call-ID`;
  throw new ShellError(`no conversation '${selector}' (${range})`);
}

/** The view of one call: the message list, every message, one message, or its ladder. */
async function showCall(env: ShellEnv, call: Call, args: string[], form: string): Promise<void> {
  await withMessages(env, [call]);
  const messages = messagesOf(call);
  if (args.length === 0) {
    env.io.out(messages.map((m, i) => messageLine(m, i) + '\n').join(''));
    return;
  }
  const what = keyword(args[0]!, ['messages', 'message', 'ladder'], 'view', `${form} `);
  if (what === 'ladder') return void env.io.out(renderLadderText(buildLadder(call.callId, messages), ladderTextOptions(env.io, false)));
  if (what === 'messages') {
    if (args.length > 1) throw new ShellError(`'messages' takes no number; for one message: ${form} message N`);
    env.io.out(messages.map(renderShellMessage).join('\n'));
    return;
  }
  const text = args[1];
  const last = messages.length - 1;
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > last || args.length > 2) {
    const got = text === undefined ? 'nothing' : `'${args.slice(1).join(' ')}'`;
    throw new ShellError(`message takes a message number 0..${last} (conversation ${call.index} has ${messages.length}), not ${got}`);
  }
  env.io.out(renderShellMessage(messages[Number(text)]!));
}

function enterConversation(env: ShellEnv, args: string[]): void {
  if (args.length !== 1) throw new ShellError("conversation needs one index or Call-ID, e.g. 'conversation 0'");
  const call = findCall(env, args[0]!);
  env.session.enter({ kind: 'conversation', call });
  env.io.out(conversationLine(call) + '\n');
}

/** `diagnose` alone: the calls passing the filter; `diagnose IDX|CALL-ID`: that call. */
async function diagnoseGeneral(env: ShellEnv, args: string[]): Promise<void> {
  if (args.length > 1) throw new ShellError("diagnose takes at most one index or Call-ID, e.g. 'diagnose 0'");
  const only = args[0] === undefined ? undefined : findCall(env, args[0]);
  // Rules read other calls as context (earlier REGISTERs, an endpoint's other calls): all need their messages.
  await withMessages(env, env.session.store.calls());
  diagnoseCalls(env.session, env.io, only);
}

async function diagnoseConversation(env: ShellEnv, args: string[]): Promise<void> {
  const c = env.session.context;
  if (args.length > 0) throw new ShellError('diagnose takes no arguments here: it diagnoses this conversation');
  if (c.kind !== 'conversation') return;
  await withMessages(env, env.session.store.calls());
  diagnoseCalls(env.session, env.io, c.call);
}

/**
 * `Session.ensureMessages` with a progress bar and a note: calls beyond the
 * session's kept-bytes budget are read again from the loaded files.
 */
export async function withMessages(env: ShellEnv, calls: readonly Call[]): Promise<void> {
  if (calls.every((c) => c.kept !== null)) return;
  const progress = progressBar(env.io);
  try {
    await env.session.ensureMessages(calls, progress?.update);
  } catch (e) {
    if (e instanceof MessagesUnavailable) throw new ShellError(e.message);
    throw e;
  } finally {
    progress?.finish();
  }
}

function help(env: ShellEnv, topics: string[]): void {
  if (topics.length === 0) {
    env.io.out(contextHelp(env.session.context) + '\n');
    return;
  }
  const text = topicHelp(topics);
  if (text === undefined) {
    const near = closest(topics[0]!, [...HELP_TOPICS, ...FILTER_TYPES]);
    throw new ShellError(`no help on '${topics.join(' ')}'${near === undefined ? '' : ` — did you mean 'help ${near}'?`}`);
  }
  env.io.out(text + '\n');
}

function leave(env: ShellEnv): void {
  env.session.leave();
}

// ── filter context ─────────────────────────────────────────────────────────

function printCount(env: ShellEnv): void {
  env.io.out(`${env.session.visible().length} conversations\n`);
}

function printFilter(env: ShellEnv): void {
  env.io.out(safeInline(describeFilter(env.session.filter)) + '\n');
}

function add(env: ShellEnv, args: string[]): void {
  if (args.length === 0) throw new ShellError(`add needs a type and a value, e.g. 'add srcnum 4151509' (types: ${FILTER_TYPES.join(', ')})`);
  const type = filterType(args[0]!);
  let clause: FilterClause;
  try {
    clause = parseClause([type, ...args.slice(1)].join(' '));
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new ShellError(e.message);
    throw e;
  }
  const s = env.session;
  s.setFilter([...s.filter.clauses, clause]);
  printCount(env);
}

function filterType(word: string): string {
  const r = resolveWord(word, FILTER_TYPES);
  if (r.word !== undefined) return r.word;
  const near = closest(word, FILTER_TYPES);
  throw new ShellError(`unknown filter type '${word}'${near === undefined ? '' : ` — did you mean '${near}'?`} (types: ${FILTER_TYPES.join(', ')})`);
}

function del(env: ShellEnv, args: string[]): void {
  if (args.length === 0) throw new ShellError("del needs a type, e.g. 'del srcnum' (see 'show')");
  const type = filterType(args[0]!);
  if (!isFilterType(type)) throw new ShellError(`unknown filter type '${type}'`);
  const s = env.session;
  if (!s.filter.clauses.some((c) => c.type === type)) throw new ShellError(`the filter has no '${type}' condition (see 'show')`);
  const values = args.slice(1);
  const same = (a: string, b: string): boolean => (type === 'has' ? canonicalName(a) === canonicalName(b) : a === b);
  for (const v of values) {
    if (!s.filter.clauses.some((c) => c.type === type && c.values.some((x) => same(x, v)))) {
      throw new ShellError(`the '${type}' condition has no value '${v}' (see 'show')`);
    }
  }
  const clauses = values.length === 0
    ? s.filter.clauses.filter((c) => c.type !== type)
    : s.filter.clauses
      .map((c) => (c.type === type ? { ...c, values: c.values.filter((x) => !values.some((v) => same(x, v))) } : c))
      .filter((c) => c.values.length > 0);
  s.setFilter(clauses);
  printCount(env);
}

function set(env: ShellEnv, args: string[]): void {
  if (args.length !== 2 || keyword(args[0]!, ['condition'], 'setting', 'set ') !== 'condition') {
    throw new ShellError("usage: set condition and|or");
  }
  const value = args[1]!.toLowerCase();
  if (value !== 'and' && value !== 'or') throw new ShellError(`the condition is 'and' or 'or', not '${args[1]}'`);
  env.session.setFilter(env.session.filter.clauses, value);
  printCount(env);
}

function reset(env: ShellEnv): void {
  env.session.setFilter([], 'or');
  printCount(env);
}

function showFilterContext(env: ShellEnv, args: string[]): void {
  if (args.length > 0 && keyword(args[0]!, ['filter'], 'show command', 'show ') !== 'filter') return;
  printFilter(env);
}

// ── conversation context ───────────────────────────────────────────────────

async function showConversationContext(env: ShellEnv, args: string[]): Promise<void> {
  const c = env.session.context;
  if (c.kind !== 'conversation') return;
  await showCall(env, c.call, args, 'show');
}
