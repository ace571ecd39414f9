/**
 * The shell's pure parts: prompts per context, word splitting, typo hints,
 * Tab completion, help topics.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../src/cli/shell/session.js';
import { complete } from '../../../src/cli/shell/complete.js';
import { closest, editDistance, resolveWord } from '../../../src/cli/shell/suggest.js';
import { splitScript, splitWords } from '../../../src/cli/shell/tokens.js';
import { topicHelp, contextHelp } from '../../../src/cli/shell/help.js';
import { historyPath } from '../../../src/cli/shell/history.js';
import { parseClause } from '../../../src/calls/filter.js';
import { captured, request } from '../../helpers/messages.js';
import { sipPcap, writeTemp } from '../../helpers/sip-pcap.js';
import { improperCallerId } from './scenarios.js';
import { play } from './transcript.js';

function loaded(): Session {
  const s = new Session();
  s.store.add(captured(request('INVITE', { callId: 'a84b4c76e66710@pc33' }), { at: 1 }, 0));
  s.store.add(captured(request('INVITE', { callId: 'a84bzz@pc34', extra: ['Diversion: <sip:1@x>'] }), { at: 2 }, 1));
  s.store.add(captured(request('OPTIONS', { callId: '1234@host' }), { at: 3 }, 2));
  return s;
}

test('prompts: SipInv, * with an active filter, [filter], [conv N]', () => {
  const s = loaded();
  assert.equal(s.prompt(), 'SipInv: ');
  s.enter({ kind: 'filter' });
  assert.equal(s.prompt(), 'SipInv[filter]: ');
  s.setFilter([parseClause('srcnum 1')]);
  assert.equal(s.prompt(), 'SipInv[filter]*: ');
  assert.equal(s.leave(), true);
  assert.equal(s.prompt(), 'SipInv*: ');
  s.enter({ kind: 'conversation', call: s.store.calls()[2]! });
  assert.equal(s.prompt(), 'SipInv[conv 2]*: ');
  s.clear();
  assert.equal(s.prompt(), 'SipInv*: ', 'clear leaves a conversation of the discarded calls');
  assert.equal(s.leave(), false, 'the general context is the last');
});

test('an all-digit Call-ID wins over an index', () => {
  const s = loaded();
  s.store.add(captured(request('OPTIONS', { callId: '0' }), { at: 4 }, 3));
  assert.equal(s.findCall('0')!.callId, '0');
  assert.equal(s.findCall('1')!.callId, 'a84bzz@pc34');
  assert.equal(s.findCall('99'), undefined);
});

test('words: quotes keep spaces, backslash escapes; scripts split on ; and newlines, # comments', () => {
  assert.deepEqual(splitWords(`load "my trace.pcap" 'a b' c\\ d`), ['load', 'my trace.pcap', 'a b', 'c d']);
  assert.deepEqual(splitWords('   '), []);
  assert.deepEqual(splitWords(`load ""`), ['load', '']);
  assert.deepEqual(splitScript('filter; add dstnum 5660066;exit\n# note\n\nshow conversations sorted; load "a;b"'), [
    { text: 'filter', line: 1 }, { text: 'add dstnum 5660066', line: 1 }, { text: 'exit', line: 1 },
    { text: 'show conversations sorted', line: 4 }, { text: 'load "a;b"', line: 4 },
  ]);
});

test('typo hints: edit distance with transpositions; unique prefixes resolve', () => {
  assert.equal(editDistance('shwo', 'show'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(closest('shwo', ['show', 'load', 'filter']), 'show');
  assert.equal(closest('conversatons', ['conversation', 'clear']), 'conversation');
  assert.equal(closest('xyzzy', ['show', 'load']), undefined);
  assert.deepEqual(resolveWord('sh', ['show', 'set']), { word: 'show' });
  assert.deepEqual(resolveWord('conversation', ['conversations', 'conversation']), { word: 'conversation' });
  assert.deepEqual(resolveWord('conv', ['conversations', 'conversation']), { ambiguous: ['conversations', 'conversation'] });
});

test('unknown commands get the closest command, or the context they belong to', async () => {
  const t = await play(['shwo conversations', 'add srcnum 1', 'frobnicate', 'show convresations', 'filter', 'load x', 'exit']);
  assert.match(t.screen, /% unknown command 'shwo' — did you mean 'show'\?/);
  assert.match(t.screen, /% unknown command 'add' — 'add' belongs to the filter context: type 'filter' first/);
  assert.match(t.screen, /% unknown command 'frobnicate' \(type 'help' for the commands\)/);
  assert.match(t.screen, /% unknown show command 'show convresations' — did you mean 'show conversations'\?/);
  assert.match(t.screen, /% unknown command 'load' — 'load' works in the general context: type 'exit' first/);
});

test('completion: commands, sub-commands, Call-IDs, indexes, filter types, headers, conditions', () => {
  const s = loaded();
  assert.deepEqual(complete(s, 'sh'), [['show'], 'sh']);
  assert.deepEqual(complete(s, 'show conv'), [['conversation', 'conversations'], 'conv']);
  assert.deepEqual(complete(s, 'show conversations '), [['sorted'], '']);
  assert.deepEqual(complete(s, 'show conversation a84b4'), [['a84b4c76e66710@pc33'], 'a84b4']);
  assert.deepEqual(complete(s, 'show conversation a84b'), [['a84b4c76e66710@pc33', 'a84bzz@pc34'], 'a84b']);
  assert.deepEqual(complete(s, 'show conversation 1'), [['1', '1234@host'], '1']);
  assert.deepEqual(complete(s, 'show conversation 0 mes'), [['message', 'messages'], 'mes']);
  assert.deepEqual(complete(s, 'show conversation 0 message '), [['0'], '']);
  assert.deepEqual(complete(s, 'conversation 1234'), [['1234@host'], '1234']);
  assert.deepEqual(complete(s, 'capture '), [['start', 'stop'], '']);
  assert.ok(complete(s, 'capture start ')[0].includes('lo'));
  assert.deepEqual(complete(s, 'filter add s'), [['srcip', 'srcnum'], 's']);
  assert.deepEqual(complete(s, 'help fi'), [['filter'], 'fi']);
  s.enter({ kind: 'filter' });
  assert.deepEqual(complete(s, ''), [['add', 'del', 'exit', 'help', 'quit', 'reset', 'set', 'show'], '']);
  assert.deepEqual(complete(s, 'add has Div'), [['diversion'], 'Div']);
  assert.deepEqual(complete(s, 'add has p-a'), [['p-access-network-info', 'p-asserted-identity'], 'p-a']);
  assert.deepEqual(complete(s, 'set condition '), [['and', 'or'], '']);
  s.setFilter([parseClause('dstnum 5660066 123')]);
  assert.deepEqual(complete(s, 'del '), [['dstnum'], '']);
  assert.deepEqual(complete(s, 'del dstnum 5'), [['5660066'], '5']);
});

test('completion of file paths after load', () => {
  const f = writeTemp({ 'trace-one.pcap': sipPcap(improperCallerId()), 'trace-two.pcapng': 'x' });
  const s = new Session();
  assert.deepEqual(complete(s, `load ${f.dir}/trace-`), [[`${f.dir}/trace-one.pcap`, `${f.dir}/trace-two.pcapng`], `${f.dir}/trace-`]);
  const parent = f.dir.slice(0, f.dir.lastIndexOf('/') + 1);
  const name = f.dir.slice(parent.length);
  assert.deepEqual(complete(s, `load x.pcap ${parent}${name}`), [[`${f.dir}/`], `${parent}${name}`]);
});

test('help: context screens and topics with examples', async () => {
  const s = new Session();
  assert.match(contextHelp(s.context), /show conversation IDX\|CALL-ID \[messages \| message N \| ladder\]/);
  assert.match(contextHelp({ kind: 'filter' }), /set condition and\|or/);
  assert.match(topicHelp(['add', 'has'])!, /Examples:\n  add has diversion/);
  assert.match(topicHelp(['show', 'conversation'])!, /show conversation 0 message 3/);
  assert.match(topicHelp(['srcnum'])!, /\+354 555-1234/);
  assert.equal(topicHelp(['nothing']), undefined);
  const t = await play(['help', 'help add has', 'help shwo']);
  assert.match(t.screen, /% no help on 'shwo' — did you mean 'help show'\?/);
});

test('history lives under XDG_STATE_HOME, else ~/.local/state', () => {
  assert.equal(historyPath({ XDG_STATE_HOME: '/x/state', HOME: '/home/u' }), '/x/state/sipvestigator/history');
  assert.equal(historyPath({ HOME: '/home/u' }), '/home/u/.local/state/sipvestigator/history');
  assert.equal(historyPath({ XDG_STATE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.local/state/sipvestigator/history', 'the XDG spec ignores relative paths');
});
