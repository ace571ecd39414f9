/**
 * Issue 10 in the shell: `export FILE` refuses an existing file unless
 * `export FILE --force` (the commands' wording), and `load` holds at most the
 * session's calls cap — older calls summarised, said in a warning and in the
 * total line.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../../src/cli/shell/session.js';
import { defaultLimits } from '../../../src/cli/limit-options.js';
import { sipPcap, writeTemp } from '../../helpers/sip-pcap.js';
import { improperCallerId, wrongDiversion } from './scenarios.js';
import { play } from './transcript.js';
import { runSipv } from './run-shell.js';

const files = writeTemp({ 'cid.pcap': sipPcap(improperCallerId()), 'div.pcap': sipPcap(wrongDiversion()) });
const out = (name: string): string => join(files.dir, name);

test('export FILE refuses an existing file; export FILE --force replaces it', async () => {
  const path = out('kept.json');
  writeFileSync(path, 'precious\n');
  const t = await play([`load ${files['cid.pcap']}`, `export ${path}`, `export ${path} --force`, `export --force ${path}`]);
  assert.equal(t.errors, 1, t.screen);
  assert.ok(t.screen.includes(`SipInv: export ${path}\n% ${path} exists: give --force to overwrite it\n`), t.screen);
  assert.ok(t.screen.includes(`SipInv: export ${path} --force\n1 conversations (4 SIP messages) written to ${path}\n`), t.screen);
  assert.ok(t.screen.endsWith(`SipInv: export --force ${path}\n1 conversations (4 SIP messages) written to ${path}\n`), t.screen);
  assert.equal((JSON.parse(readFileSync(path, 'utf8')) as unknown[]).length, 1);
});

test('export to a new file needs no --force; two names are refused', async () => {
  const t = await play([`load ${files['cid.pcap']}`, `export ${out('new.pcap')}`, `export ${out('a.txt')} ${out('b.txt')}`]);
  assert.equal(t.errors, 1, t.screen);
  assert.match(t.screen, /1 conversations \(4 SIP messages, 4 frames\) written to /);
  assert.match(t.screen, /% export needs one file name, e\.g\. 'export calls\.pcap', 'export calls\.txt' or 'export calls\.json' \(--force replaces an existing file\)\n$/);
});

test('sipv shell -e: a refused export is one line with the commands\' wording, the file untouched, exit 2', () => {
  const path = out('script.txt');
  writeFileSync(path, 'precious\n');
  const r = runSipv(['shell', files['cid.pcap']!, '-e', `export ${path}`]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `sipv: -e:1: ${path} exists: give --force to overwrite it\n`);
  assert.equal(readFileSync(path, 'utf8'), 'precious\n');
  const forced = runSipv(['shell', files['cid.pcap']!, '-e', `export ${path} --force`]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(readFileSync(path, 'utf8'), /INVITE sip:/);
});

test('load beyond the session\'s calls cap: older calls summarised, in a warning and in the total line', async () => {
  const session = new Session({ ...defaultLimits(), maxCalls: 2 });
  const t = await play([`load ${files['cid.pcap']}`, `load ${files['div.pcap']}`, 'show conversations'], session);
  assert.equal(t.errors, 0, t.screen);
  assert.equal(t.screen, [
    `SipInv: load ${files['cid.pcap']}`,
    '1 conversations (4 SIP messages) extracted',
    `SipInv: load ${files['div.pcap']}`,
    'sipv: warning: 15 older calls summarised (32 messages) beyond 2 held: first method INVITE 15; final status 200 14, 403 1 — raise --max-calls',
    '2 conversations (36 SIP messages) extracted; 15 older calls summarised',
    'SipInv: show conversations',
    '[15] 2018-04-16 15:49:58.000000: INVITE 4151514->5660066',
    '[16] 2018-04-16 15:50:00.000000: INVITE 4151515->5550015',
    '',
  ].join('\n'));
  // `clear` starts again under the same cap; the warning and the total line count the whole session.
  const again = await play(['clear', `load ${files['div.pcap']}`, `load ${files['cid.pcap']}`], session);
  assert.match(again.screen, /\nsipv: warning: 14 older calls summarised \(28 messages\)[^\n]*\n2 conversations \(32 SIP messages\) extracted; 14 older calls summarised\n/);
  assert.match(again.screen, /\nsipv: warning: 15 older calls summarised \(30 messages\)[^\n]*\n2 conversations \(36 SIP messages\) extracted; 15 older calls summarised\n$/);
});
