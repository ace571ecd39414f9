/**
 * Scripting through the real program: -e, -f and piped stdin run the shell's
 * commands with no prompt echoed, no colours, and exit code 2 on an error.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { sipPcap, writeTemp } from '../../helpers/sip-pcap.js';
import { wrongDiversion } from './scenarios.js';
import { runSipv } from './run-shell.js';

const f = writeTemp({
  'div.pcap': sipPcap(wrongDiversion()),
  'find.sipv': '# the forwarded call to 5660066\nfilter\n  add has diversion\n  add dstnum 5660066; set condition and\nexit\nshow conversations sorted\n',
  'bad.sipv': 'show conversations\nshwo filter\nshow filter\n',
});
const EXPECTED = '16 conversations (32 SIP messages) extracted\n5 conversations\n7 conversations\n1 conversations\n[14] 2018-04-16 15:49:58.000000: INVITE 4151514->5660066\n';

test('sipv shell FILE -e "…" runs the commands and exits 0', () => {
  const r = runSipv(['shell', f['div.pcap']!, '-e', 'filter; add has diversion; add dstnum 5660066; set condition and; exit; show conversations sorted']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, EXPECTED);
  assert.equal(r.code, 0);
});

test('-f SCRIPT: same commands from a file, comments and indentation allowed', () => {
  const r = runSipv(['shell', f['div.pcap']!, '-f', f['find.sipv']!]);
  assert.equal(r.stdout, EXPECTED);
  assert.equal(r.code, 0);
});

test('commands piped on stdin, with bare `sipv FILE`', () => {
  const r = runSipv([f['div.pcap']!], { input: 'filter add has diversion\nfilter add dstnum 5660066\nfilter set condition and\nshow conversations\nexit\nshow filter\n' });
  assert.equal(r.stdout, EXPECTED.replace(/\[14\]/, '[14]'));
  assert.doesNotMatch(r.stdout, /SipInv/, 'no prompt is echoed');
  assert.equal(r.code, 0);
});

test('a command error prints sipv: SOURCE:LINE: what, later commands still run, exit 2', () => {
  const r = runSipv(['shell', f['div.pcap']!, '-f', f['bad.sipv']!]);
  assert.equal(r.stderr, `sipv: ${f['bad.sipv']}:2: unknown command 'shwo' — did you mean 'show'?\n`);
  assert.match(r.stdout, /\[15\] [^\n]*\nno filter\n$/);
  assert.equal(r.code, 2);
  const e = runSipv(['shell', '-e', 'show conversations; show conversation 0 message abc']);
  assert.equal(e.stderr, "sipv: -e:2: no conversation '0' (none loaded — 'load FILE' first)\n");
  assert.equal(e.code, 2);
});

test('an unreadable preloaded file: one line, exit 2, the commands still run', () => {
  const r = runSipv(['shell', `${f.dir}/missing.pcap`, '-e', 'show conversations; help show filter']);
  assert.match(r.stderr, /^sipv: [^\n]*missing\.pcap[^\n]*does not exist\n$/);
  assert.match(r.stdout, /^0 conversations \(0 SIP messages\) extracted\nshow filter\n/);
  assert.equal(r.code, 2);
});

test('bare sipv with a mistyped command name says so instead of loading it', () => {
  const r = runSipv(['clals']);
  assert.equal(r.stderr, "sipv: unknown command 'clals' — did you mean 'calls'? (sipv --help lists them)\n");
  assert.equal(r.code, 2);
});
