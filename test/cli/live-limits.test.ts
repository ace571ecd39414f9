/**
 * Issue 10's limits on the live commands, through the built binary: `sipv hep`
 * and `sipv capture` take the limit flags, hold at most --max-calls calls (older
 * ones summarised, never lost from the totals), say once when the cap is first
 * reached while running, and print the same limit warnings as the file commands
 * at the end. Bad values: exit 2 with one line, before anything starts.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { hep3 } from '../helpers/packet-builders.js';
import { request, response } from '../helpers/messages.js';
import { BIN, BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { LIMIT_SPECS } from '../../src/core/limits.js';

const skip = BIN_MISSING;
const canCapture = process.getuid?.() === 0 && spawnSync('tcpdump', ['--version']).status === 0
  ? false : 'live capture needs root and tcpdump';
const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const CAP_REACHED = 'sipv: warning: more than 2 calls: older calls are now summarised, not held in full — raise --max-calls';

interface Run {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  closed: Promise<number | null>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  void closed.then(() => clearTimeout(killer));
  return { child, stderr: () => err, stdout: () => out, closed };
}

async function waitFor(what: () => boolean, label: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${label}`);
    await sleep(50);
  }
}

async function sendUdp(port: number, packets: (Buffer | string)[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  for (const p of packets) {
    await new Promise<void>((resolve, reject) => s.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    await sleep(3); // arrival order = send order on a busy machine
  }
  s.close();
}

/** A call answered and hung up: INVITE, 200, ACK, BYE, 200 — six HEP packets with the 100. */
function hepCall(id: string, t0: number): Buffer[] {
  const p = { callId: id };
  const bye = { ...p, cseq: 2, branch: 'z9hG4bK-2' };
  const texts = [request('INVITE', p), response(100, 'Trying', 'INVITE', p), response(200, 'OK', 'INVITE', p), request('ACK', p), request('BYE', bye), response(200, 'OK', 'BYE', bye)];
  return texts.map((t, i) => hep3({ sec: t0, usec: i * 1000 }, crlf(t)));
}

async function hepPort(run: Run): Promise<number> {
  await waitFor(() => /listening for HEP on udp 127\.0\.0\.1:\d+/.test(run.stderr()), 'the listening line');
  return Number(/127\.0\.0\.1:(\d+)/.exec(run.stderr())![1]);
}

const FIVE_CALLS = [0, 1, 2, 3, 4].flatMap((i) => hepCall(`cap-${i}@test`, 1_700_000_000 + i));
const SUMMARISED = 'sipv: warning: 3 older calls summarised (18 messages) beyond 2 held: first method INVITE 3; final status 200 3 — raise --max-calls';

test('sipv hep --max-calls 2, fed 5 calls: warns once when the cap is reached, holds the last 2, summarises 3', { skip, timeout: 60_000 }, async () => {
  const run = start(['hep', '--udp', '127.0.0.1:0', '--max-calls', '2', '--count', '30', '--json']);
  await sendUdp(await hepPort(run), FIVE_CALLS);
  assert.equal(await run.closed, 0, run.stderr());
  const err = run.stderr().split('\n');
  assert.equal(err.filter((l) => l === CAP_REACHED).length, 1, run.stderr());
  assert.ok(err.indexOf(CAP_REACHED) < err.findIndex((l) => l.startsWith('HEP collector stopped')), 'the cap warning came while running');
  assert.ok(err.includes('HEP collector stopped: 30 packets, 30 SIP messages, 5 new conversations; dropped: 0 malformed, 0 bad auth, 0 non-SIP'), run.stderr());
  assert.equal(err.filter((l) => / — raise --max-/.test(l)).length, 2, run.stderr());
  assert.ok(err.includes(SUMMARISED), run.stderr());
  // The JSON shape is unchanged; it holds the 2 newest calls.
  const calls = JSON.parse(run.stdout()) as { index: number; callId: string; messages: number }[];
  assert.deepEqual(calls.map((c) => [c.index, c.callId, c.messages]), [[3, 'cap-3@test', 6], [4, 'cap-4@test', 6]]);
});

test('sipv hep --max-calls 2 | …: every call still gets its NDJSON line; the summary says what was summarised', { skip, timeout: 60_000 }, async () => {
  const run = start(['hep', '--udp', '127.0.0.1:0', '--max-calls', '2', '--count', '30']);
  await sendUdp(await hepPort(run), FIVE_CALLS);
  assert.equal(await run.closed, 0, run.stderr());
  const lines = run.stdout().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { callId: string });
  assert.deepEqual(lines.map((c) => c.callId), ['cap-0@test', 'cap-1@test', 'cap-2@test', 'cap-3@test', 'cap-4@test']);
  assert.match(run.stderr(), /5 new conversations/);
  assert.ok(run.stderr().includes(SUMMARISED + '\n'), run.stderr());
});

test('sipv hep without a limit reached: no limit warning', { skip, timeout: 60_000 }, async () => {
  const run = start(['hep', '--udp', '127.0.0.1:0', '--count', '30', '--json']);
  await sendUdp(await hepPort(run), FIVE_CALLS);
  assert.equal(await run.closed, 0, run.stderr());
  assert.doesNotMatch(run.stderr(), /warning/);
  assert.equal((JSON.parse(run.stdout()) as unknown[]).length, 5);
});

test('sipv hep --max-headers 8: a message with more headers is kept, its extra headers counted in one warning', { skip, timeout: 60_000 }, async () => {
  const run = start(['hep', '--udp', '127.0.0.1:0', '--max-headers', '8', '--count', '2', '--json']);
  // The extra headers last: the Call-ID and the rest are within the first 8.
  const many = request('OPTIONS', { callId: 'many@test' }).replace('\n\n', '\n' + Array.from({ length: 12 }, (_, i) => `X-Extra-${i}: ${i}`).join('\n') + '\n\n');
  await sendUdp(await hepPort(run), [hep3({ sec: 1_700_000_000 }, crlf(many)), hep3({ sec: 1_700_000_001 }, crlf(request('OPTIONS', { callId: 'few@test' })))]);
  assert.equal(await run.closed, 0, run.stderr());
  const warnings = run.stderr().split('\n').filter((l) => / — raise --max-/.test(l));
  assert.deepEqual(warnings, ['sipv: HEP: warning: 1 SIP message with headers left unparsed: more than 8 headers — raise --max-headers']);
  assert.deepEqual((JSON.parse(run.stdout()) as { callId: string }[]).map((c) => c.callId), ['many@test', 'few@test']);
});

test('sipv hep: the limit flags in --help; a bad value or a reassembly limit is refused with one line, exit 2', { skip }, () => {
  const help = sipv(['hep', '--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--max-headers', '--max-header-bytes', '--max-calls']) assert.match(help.stdout, new RegExp(`${flag} <`));
  assert.doesNotMatch(help.stdout, /--max-tcp-buffer/, 'HEP carries whole messages: no reassembly limits');
  for (const [args, want] of [
    [['--max-calls', 'many'], "sipv: --max-calls must be a whole number, not 'many'"],
    [['--max-calls', '0'], "sipv: --max-calls must be at least 1, not '0'"],
    [['--max-header-bytes', '12 parsecs'], "sipv: --max-header-bytes must be a size like 65536, 64k or 1M, not '12 parsecs'"],
  ] as const) {
    const r = sipv(['hep', '--udp', '127.0.0.1:0', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, want + '\n');
    assert.equal(r.stdout, '');
  }
  const r = sipv(['hep', '--udp', '127.0.0.1:0', '--max-tcp-buffer', '1M']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--max-tcp-buffer/);
});

test('sipv capture: every limit flag in --help; bad values exit 2 with one line before tcpdump starts', { skip }, () => {
  const help = sipv(['capture', '--help']);
  assert.equal(help.code, 0);
  for (const spec of LIMIT_SPECS) assert.match(help.stdout, new RegExp(`${spec.flag} <(size|n)>`), spec.flag);
  for (const [args, want] of [
    [['--max-calls', 'many'], "sipv: --max-calls must be a whole number, not 'many'"],
    [['--max-calls', '0'], "sipv: --max-calls must be at least 1, not '0'"],
    [['--max-tcp-buffer', '12 parsecs'], "sipv: --max-tcp-buffer must be a size like 65536, 64k or 1M, not '12 parsecs'"],
    [['--max-message-bytes', '10'], "sipv: --max-message-bytes must be at least 1 KiB, not '10'"],
    [['--max-headers', '2'], "sipv: --max-headers must be at least 8, not '2'"],
    [['--max-fragments', '-1'], "sipv: --max-fragments must be a whole number, not '-1'"],
  ] as const) {
    // An interface that does not exist: reaching tcpdump would fail differently.
    const r = sipv(['capture', '-i', 'no-such-if0', '--duration', '1', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, want + '\n');
    assert.equal(r.stdout, '');
  }
});

test('sipv capture --max-calls 2, 5 calls on lo: warns once, every call still printed, 3 summarised', { skip: skip || canCapture, timeout: 60_000 }, async () => {
  const run = start(['capture', '-i', 'lo', '-f', 'udp port 5094', '--max-calls', '2', '--duration', '25']);
  await sleep(2000); // tcpdump starting
  const packets: string[] = [];
  for (let i = 0; i < 5; i++) {
    const p = { callId: `cap-live-${i}` };
    packets.push(crlf(request('INVITE', p)), crlf(response(486, 'Busy Here', 'INVITE', p)));
  }
  await sendUdp(5094, packets);
  await waitFor(() => run.stdout().split('\n').filter((l) => l !== '').length === 5, 'five NDJSON lines');
  run.child.kill('SIGINT');
  assert.equal(await run.closed, 0, run.stderr());
  const lines = run.stdout().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { callId: string }).callId);
  assert.deepEqual(lines, [0, 1, 2, 3, 4].map((i) => `cap-live-${i}`));
  const err = run.stderr().split('\n');
  assert.equal(err.filter((l) => l === CAP_REACHED).length, 1, run.stderr());
  assert.match(run.stderr(), /capture on lo stopped: 10 packets, 10 SIP messages, 5 new conversations/);
  assert.ok(err.includes('sipv: warning: 3 older calls summarised (6 messages) beyond 2 held: first method INVITE 3; final status 486 3 — raise --max-calls'), run.stderr());
});
