/**
 * The real interactive shell on a real pseudo-terminal (tmux): Tab completes
 * a Call-ID, the prompt gains `*` once a filter is set, Ctrl-C clears a typed
 * line, and Ctrl-C during `capture start` ends the capture — the shell lives
 * on and has the captured calls. History is written under XDG_STATE_HOME.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/paths.js';
import { sipPcap, writeTemp } from '../../helpers/sip-pcap.js';
import { sendInvites } from '../../helpers/sip-sender.js';
import { improperCallerId, natTimeout } from './scenarios.js';
import { SIPV } from './run-shell.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const canCapture = process.getuid?.() === 0 && spawnSync('tcpdump', ['--version']).status === 0;
const skip = !hasTmux ? 'tmux is not installed (apt-get install tmux)' : false;

const SOCKET = `sipv-test-${process.pid}`;
const tmux = (...args: string[]): string => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' }).stdout;
const screen = (): string => tmux('capture-pane', '-p', '-J', '-t', 'sh', '-S', '-500');
const keys = (...k: string[]): void => { tmux('send-keys', '-t', 'sh', ...k); };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the screen matches, or fails with what the screen shows. */
async function waitFor(re: RegExp, what: string, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (re.test(s)) return s;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}; screen:\n${s}`);
    await sleep(100);
  }
}

test('interactive shell in a terminal: completion, prompt *, Ctrl-C, live capture', { skip, timeout: 90_000 }, async (t) => {
  const f = writeTemp({ 'two.pcap': sipPcap([...natTimeout(), ...improperCallerId()]) });
  const state = join(f.dir, 'state');
  const command = [...SIPV, 'shell', f['two.pcap']!].map((w) => `'${w}'`).join(' ');
  tmux('new-session', '-d', '-s', 'sh', '-x', '160', '-y', '50', '-c', REPO, `env XDG_STATE_HOME='${state}' NO_COLOR=1 ${command}; sleep 30`);
  t.after(() => { tmux('kill-server'); });

  await waitFor(/2 conversations \(18 SIP messages\) extracted\nSipInv: $/m, 'the first prompt');

  // Tab completes the Call-ID from its first letters.
  keys('show conversation cal', 'Tab');
  await waitFor(/SipInv: show conversation callerid-1502@10\.20\.0\.22 ?$/m, 'the completed Call-ID');
  keys('Enter');
  await waitFor(/\[2\] [^\n]* 403 Forbidden \(10\.11\.12\.13:5060->10\.20\.0\.22:5060\)/, 'the conversation');

  // Ctrl-C throws the typed line away and gives a fresh prompt; the shell stays.
  keys('this line is discarded');
  await waitFor(/SipInv: this line is discarded$/m, 'the typed line');
  keys('C-c');
  await waitFor(/SipInv: this line is discarded\^C\nSipInv: $/m, 'a fresh prompt after Ctrl-C');

  if (canCapture) {
    keys('capture start lo', 'Enter');
    await waitFor(/capturing on lo: \d+ packets/, 'the live status line');
    await sleep(1000);
    await sendInvites(3, 'pty');
    await waitFor(/capturing on lo: [1-9]\d* packets/, 'packets counted while capturing');
    keys('C-c');
    await waitFor(/capture on lo stopped: 3 packets, 3 SIP messages, 3 new conversations, \d+ dropped by kernel\n5 conversations \(21 SIP messages\) extracted\nSipInv: $/m, 'the capture summary and the prompt back');
    keys('show conversations sorted', 'Enter');
    await waitFor(/\[4\] [^\n]*: INVITE 4151509->8969669\nSipInv: $/m, 'the captured calls listed');
  } else {
    t.diagnostic('live capture part skipped: needs root and tcpdump');
  }

  // A filter puts * in the prompt, in both contexts.
  keys('filter', 'Enter');
  await waitFor(/SipInv\[filter\]: $/m, 'the filter prompt');
  keys('add srcnum 1502', 'Enter');
  await waitFor(/1 conversations\nSipInv\[filter\]\*: $/m, 'the filter prompt with *');
  keys('exit', 'Enter');
  await waitFor(/SipInv\*: $/m, 'the general prompt with *');
  keys('exit', 'Enter');
  await sleep(500);

  const history = readFileSync(join(state, 'sipvestigator', 'history'), 'utf8');
  assert.match(history, /^show conversation callerid-1502@10\.20\.0\.22\n/);
  assert.match(history, /\nadd srcnum 1502\nexit\nexit\n$/);
  assert.doesNotMatch(history, /discarded/);
});
