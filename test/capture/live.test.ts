/**
 * `sipv capture` for real: tcpdump on loopback as a child, SIP we send
 * ourselves, counts checked, `-w` read back by tshark. Needs root (or
 * cap_net_raw on tcpdump) and tcpdump; skips with the reason otherwise.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findCaptureTool } from '../../src/capture/live.js';
import { sendInvites } from '../helpers/sip-sender.js';
import { writeTemp } from '../helpers/sip-pcap.js';
import { SIPV } from '../cli/shell/run-shell.js';
import { REPO } from '../helpers/paths.js';

const skip = findCaptureTool() !== 'tcpdump' ? 'tcpdump is not installed'
  : process.getuid?.() !== 0 ? 'live capture needs root (or cap_net_raw on tcpdump)' : false;
const hasTshark = spawnSync('tshark', ['-v']).status === 0;

function capture(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(SIPV[0]!, [...SIPV.slice(1), 'capture', ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const DUR_PORT = 15071;
const COUNT_PORT = 15072;

test('sipv capture -i lo --duration: sees the SIP sent meanwhile, counts match, -w is a pcap tshark reads', { skip }, async () => {
  const out = join(writeTemp({}).dir, 'live.pcap');
  // A port and filter of this test's own: other tests send SIP over loopback at the same time.
  const run = capture(['-i', 'lo', '-f', `udp port ${DUR_PORT}`, '--duration', '4', '-w', out]);
  await sleep(2000);
  await sendInvites(3, 'dur', DUR_PORT);
  const r = await run;
  // stdout is a pipe: one NDJSON line per call (these three never complete, so at the end); the summary on stderr.
  assert.match(r.stderr, new RegExp(`^capture on lo stopped: 3 packets, 3 SIP messages, 3 new conversations, \\d+ dropped by kernel\nwrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`));
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { callId: string }).callId), ['dur-0@127.0.0.1', 'dur-1@127.0.0.1', 'dur-2@127.0.0.1']);
  assert.equal(r.code, 0);
  if (hasTshark) {
    const t = spawnSync('tshark', ['-r', out, '-d', `udp.port==${DUR_PORT},sip`, '-T', 'fields', '-e', 'sip.Call-ID'], { encoding: 'utf8' });
    assert.deepEqual(t.stdout.trim().split('\n'), ['dur-0@127.0.0.1', 'dur-1@127.0.0.1', 'dur-2@127.0.0.1']);
  }
});

test('--count N stops after N packets on its own', { skip }, async () => {
  const run = capture(['-i', 'lo', '-f', `udp port ${COUNT_PORT}`, '--count', '2', '--duration', '20']);
  await sleep(2000);
  await sendInvites(5, 'cnt', COUNT_PORT);
  const r = await run;
  assert.match(r.stderr, /stopped: 2 packets, 2 SIP messages, 2 new conversations/);
  assert.equal(r.code, 0);
});

test('an unknown interface is one plain line and exit 2', { skip }, async () => {
  const r = await capture(['-i', 'nosuch0', '--duration', '5']);
  assert.equal(r.stderr, "sipv: no network interface 'nosuch0' (list them with: tcpdump -D)\n");
  assert.equal(r.code, 2);
});

test('without privileges the error says root or cap_net_raw', { skip: skip || (spawnSync('runuser', ['--help']).status !== 0 ? 'no runuser' : false) }, () => {
  const r = spawnSync('runuser', ['-u', 'nobody', '--', ...SIPV, 'capture', '-i', 'lo', '--duration', '2'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } });
  assert.match(r.stderr, /^sipv: capturing on lo needs root or the cap_net_raw capability/);
  assert.equal(r.status, 2);
});
