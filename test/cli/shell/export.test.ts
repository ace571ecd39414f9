/**
 * The shell's `export FILE` to .pcap/.pcapng: frames copied from the right
 * loaded file although each `load` adds files to the session (a message's
 * source number names the file across loads), several files merged by time,
 * and the export loads back as the same conversations. Calls a live capture
 * fed have no file: pcap refuses them, text still works.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../../src/capture/source.js';
import { Session } from '../../../src/cli/shell/session.js';
import { captured, request } from '../../helpers/messages.js';
import { sipPcap, writeTemp } from '../../helpers/sip-pcap.js';
import { improperCallerId, T0, wrongDiversion } from './scenarios.js';
import { play } from './transcript.js';

const files = writeTemp({ 'cid.pcap': sipPcap(improperCallerId()), 'div.pcap': sipPcap(wrongDiversion()) });
const out = (name: string): string => join(files.dir, name);

async function frameTimes(path: string): Promise<number[]> {
  const times: number[] = [];
  const r = await readCapture(path, (f) => times.push(f.sec * 1e9 + f.nsec));
  assert.equal(r.error, undefined);
  return times;
}

test('export FILE.pcap of calls from the second load copies that file\'s frames', async () => {
  const t = await play([
    `load ${files['cid.pcap']}`,
    `load ${files['div.pcap']}`,
    'filter add dstnum 5660066',
    `export ${out('second.pcap')}`,
  ]);
  assert.equal(t.errors, 0, t.screen);
  assert.deepEqual(t.session.sources.slice(1), [files['cid.pcap'], files['div.pcap']]);
  assert.ok(t.screen.endsWith(`SipInv*: export ${out('second.pcap')}\n3 conversations (6 SIP messages, 6 frames) written to ${out('second.pcap')}\n`), t.screen);
  const back = await play([`load ${out('second.pcap')}`, 'show conversations']);
  assert.equal(back.screen, [
    `SipInv: load ${out('second.pcap')}`,
    '3 conversations (6 SIP messages) extracted',
    'SipInv: show conversations',
    '[0] 2018-04-16 15:49:42.000000: INVITE 4151506->5660066',
    '[1] 2018-04-16 15:49:48.000000: INVITE 4151509->5660066',
    '[2] 2018-04-16 15:49:58.000000: INVITE 4151514->5660066',
    '',
  ].join('\n'));
});

for (const ext of ['pcap', 'pcapng']) {
  test(`export FILE.${ext} of two loads merges their frames by time and loads back the same`, async () => {
    const t = await play([`load ${files['cid.pcap']}`, `load ${files['div.pcap']}`, `export ${out(`all.${ext}`)}`, 'show conversations sorted']);
    assert.equal(t.errors, 0, t.screen);
    assert.match(t.screen, /\n17 conversations \(36 SIP messages, 36 frames\) written to /);
    const times = await frameTimes(out(`all.${ext}`));
    assert.equal(times.length, 36);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'frames in time order');
    // The Caller-ID call (T0 + 0.1 s) sits between the first Diversion call's INVITE (T0) and 200 (T0 + 0.5 s).
    assert.equal(times[1], (T0 + 0.1) * 1e9);
    // The same calls at the same times; arrival indexes follow the merged order now.
    const listing = (screen: string): string => screen.slice(screen.indexOf('show conversations sorted\n')).replace(/^\[\d+\] /gm, '');
    const back = await play([`load ${out(`all.${ext}`)}`, 'show conversations sorted']);
    assert.equal(listing(back.screen), listing(t.screen));
  });
}

test('clear starts the file list again', async () => {
  const t = await play([`load ${files['cid.pcap']}`, 'clear', `load ${files['div.pcap']}`, 'filter add diversion 5551234', `export ${out('after-clear.pcapng')}`]);
  assert.equal(t.errors, 0, t.screen);
  assert.deepEqual(t.session.sources, [undefined, files['div.pcap']]);
  assert.match(t.screen, /\n1 conversations \(2 SIP messages, 2 frames\) written to /, t.screen);
  const back = await play([`load ${out('after-clear.pcapng')}`, 'show conversations']);
  assert.match(back.screen, /\[0\] 2018-04-16 15:49:58\.000000: INVITE 4151514->5660066\n/);
});

test('calls from a live capture have no frames to copy: pcap is refused, text is written', async () => {
  const session = new Session();
  // What `capture start` feeds: source 0, no file behind it.
  session.store.add(captured(request('OPTIONS', { callId: 'live-1' }), { at: T0 }));
  const t = await play([`export ${out('live.pcap')}`, `export ${out('live.txt')}`], session);
  assert.equal(t.errors, 1);
  assert.match(t.screen, /% export to pcap copies frames from the loaded files, and some selected conversations come from a live capture/);
  assert.ok(!existsSync(out('live.pcap')));
  assert.match(t.screen, /1 conversations \(1 SIP messages\) written to .*live\.txt\n$/);
});

test('export with no file name, or an unknown ending, says what it takes', async () => {
  const t = await play([`load ${files['cid.pcap']}`, 'export', `export ${out('x.cap')}`]);
  assert.equal(t.errors, 2);
  assert.match(t.screen, /% export needs one file name, e.g. 'export calls.pcap'/);
  assert.match(t.screen, /% cannot tell the export format from .*x\.cap/);
});
