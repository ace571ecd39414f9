/**
 * Issue 9's live view through the built binary: with stdout a pipe, each call
 * is one NDJSON line as soon as it completes — read while `sipv hep` /
 * `sipv capture` still run; on a terminal (script(1), tmux) the latest calls
 * are redrawn above the status line; the shell's `hep start` collects until
 * Ctrl-C and the shell lives on.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { hep3 } from '../helpers/packet-builders.js';
import { request, response } from '../helpers/messages.js';
import { BIN, BIN_MISSING } from '../helpers/run-cli.js';
import { REPO } from '../helpers/paths.js';

const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const canCapture = process.getuid?.() === 0 && spawnSync('tcpdump', ['--version']).status === 0
  ? false : 'live capture needs root and tcpdump';
const hasScript = spawnSync('script', ['--version']).status === 0 ? false : 'script(1) is not installed';
const hasTmux = spawnSync('tmux', ['-V']).status === 0 ? false : 'tmux is not installed';

interface Live {
  child: ChildProcess;
  stderr: () => string;
  /** NDJSON objects read so far from stdout. */
  calls: Record<string, unknown>[];
  /** Resolves when an object with this Call-ID has been read (the child still running is checked by the caller). */
  callLine: (callId: string, ms?: number) => Promise<Record<string, unknown>>;
  closed: Promise<number | null>;
}

function startLive(args: string[]): Live {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  const calls: Record<string, unknown>[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const l of lines) calls.push(JSON.parse(l) as Record<string, unknown>);
  });
  child.stderr!.on('data', (d) => { err += d; });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  void closed.then(() => clearTimeout(killer));
  const callLine = async (callId: string, ms = 8000): Promise<Record<string, unknown>> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = calls.find((c) => c['callId'] === callId);
      if (found) return found;
      if (Date.now() > until) assert.fail(`no NDJSON line for ${callId} within ${ms} ms; stdout so far: ${JSON.stringify(calls)}; stderr: ${err}`);
      await sleep(50);
    }
  };
  return { child, stderr: () => err, calls, callLine, closed };
}

async function sendUdp(port: number, packets: (Buffer | string)[]): Promise<void> {
  const s = dgram.createSocket('udp4');
  for (const p of packets) {
    await new Promise<void>((resolve, reject) => s.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    await sleep(5);
  }
  s.close();
}

async function waitFor(what: () => boolean, label: string, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${label}`);
    await sleep(50);
  }
}

test('sipv hep | …: one NDJSON line per call as it completes, while the collector runs', { skip: BIN_MISSING, timeout: 60_000 }, async () => {
  const run = startLive(['hep', '--udp', '127.0.0.1:0', '--idle', '1']);
  await waitFor(() => /listening for HEP on udp 127\.0\.0\.1:\d+/.test(run.stderr()), 'the listening line');
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(run.stderr())![1]);
  const hep = (text: string, usec: number): Buffer => hep3({ sec: 1700000000, usec }, crlf(text));
  const p = { callId: 'live-call' };
  const bye = { ...p, cseq: 2, branch: 'z9hG4bK-2' };
  // Answered: nothing at the 200 to INVITE, one line at the 200 to BYE.
  await sendUdp(port, [hep(request('INVITE', p), 0), hep(response(200, 'OK', 'INVITE', p), 1000), hep(request('ACK', p), 2000)]);
  await sleep(300);
  assert.deepEqual(run.calls, [], 'an answered call is not complete yet');
  await sendUdp(port, [hep(request('BYE', bye), 3000), hep(response(200, 'OK', 'BYE', bye), 4000)]);
  const done = await run.callLine('live-call');
  assert.equal(run.child.exitCode, null, 'the line came while the collector runs');
  assert.deepEqual(Object.keys(done), ['index', 'callId', 'start', 'end', 'firstMethod', 'from', 'to', 'srcIp', 'dstIp', 'messages', 'finalStatus', 'retransmissions', 'duplicates', 'anomalies']);
  assert.deepEqual([done['messages'], done['finalStatus'], done['firstMethod']], [5, 200, 'INVITE']);
  // Rejected: complete at the final response; unanswered: complete after --idle 1.
  await sendUdp(port, [hep(request('INVITE', { callId: 'busy' }), 5000), hep(response(486, 'Busy Here', 'INVITE', { callId: 'busy' }), 6000)]);
  assert.equal((await run.callLine('busy'))['finalStatus'], 486);
  const sent = Date.now();
  await sendUdp(port, [hep(request('OPTIONS', { callId: 'silent' }), 7000)]);
  await run.callLine('silent', 5000);
  assert.ok(Date.now() - sent >= 900, 'the idle call waited for --idle');
  assert.equal(run.child.exitCode, null);
  // Still open at the end: printed when the collector stops.
  await sendUdp(port, [hep(request('INVITE', { callId: 'open-at-end' }), 8000)]);
  await sleep(300);
  run.child.kill('SIGINT');
  assert.equal(await run.closed, 0);
  assert.deepEqual(run.calls.map((c) => c['callId']), ['live-call', 'busy', 'silent', 'open-at-end']);
  assert.match(run.stderr(), /HEP collector stopped: 9 packets, 9 SIP messages, 4 new conversations/);
});

test('sipv capture | …: NDJSON lines appear during the capture; the last packet is not held back', { skip: BIN_MISSING || canCapture, timeout: 60_000 }, async () => {
  const run = startLive(['capture', '-i', 'lo', '-f', 'udp port 5091', '--duration', '20']);
  await sleep(2000); // tcpdump starting
  const p = { callId: 'cap-busy' };
  // INVITE then 486 and then silence: the 486 must be read without a following packet.
  await sendUdp(5091, [crlf(request('INVITE', p)), crlf(response(486, 'Busy Here', 'INVITE', p))]);
  const line = await run.callLine('cap-busy');
  assert.equal(run.child.exitCode, null, 'the line came while tcpdump still runs');
  assert.deepEqual([line['messages'], line['finalStatus']], [2, 486]);
  run.child.kill('SIGINT');
  assert.equal(await run.closed, 0);
  assert.deepEqual(run.calls.map((c) => c['callId']), ['cap-busy']);
  assert.match(run.stderr(), /capture on lo stopped: 2 packets, 2 SIP messages, 1 new conversations/);
});

test('sipv capture on a terminal: the latest calls redrawn above the status line', { skip: BIN_MISSING || canCapture || hasScript, timeout: 60_000 }, async () => {
  const child = spawn('script', ['-qfec', `stty cols 100; ${process.execPath} ${BIN} capture -i lo -f 'udp port 5092' --duration 5`, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await sleep(2000);
  await sendUdp(5092, [crlf(request('INVITE', { callId: 'tty-call' })), crlf(response(180, 'Ringing', 'INVITE', { callId: 'tty-call' }))]);
  assert.equal(await closed, 0, out);
  assert.match(out, /\r\x1b\[K {3}0 {2}\d\d:\d\d:\d\d\.\d{3} {2}INVITE {3}4151509 -> 8969669 {2}active +2 msgs {2}tty-call\r?\n\r\x1b\[Kcapturing on lo: 2 packets, 2 SIP messages, 1 calls/);
  // Every drawn line fits the 100 columns (99 characters, so the cursor never wraps).
  for (const drawn of out.split(/\r\x1b\[K/).slice(1)) assert.ok(drawn.replace(/(\x1b\[[0-9;]*[A-Za-z]|\r?\n)[\s\S]*$/, '').length <= 99, drawn);
  // The view is cleared before the table and summary are printed.
  assert.match(out, /\r\x1b\[J[^\x1b]*IDX {2}START \(UTC\)[\s\S]*capture on lo stopped: 2 packets/);
});

test('shell: hep start collects with a live view until Ctrl-C; the shell lives on with the calls', { skip: BIN_MISSING || hasTmux, timeout: 60_000 }, async (t) => {
  const socket = `sipv-live-${process.pid}`;
  const tmux = (...args: string[]): string => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).stdout;
  const screen = (): string => tmux('capture-pane', '-p', '-J', '-t', 'sh', '-S', '-200');
  const until = async (re: RegExp, what: string): Promise<void> => {
    const end = Date.now() + 15_000;
    while (!re.test(screen())) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}; screen:\n${screen()}`);
      await sleep(100);
    }
  };
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  probe.close();
  tmux('new-session', '-d', '-s', 'sh', '-x', '120', '-y', '40', '-c', REPO, `env NO_COLOR=1 XDG_STATE_HOME=/tmp/sipv-live-state '${process.execPath}' '${BIN}' shell; sleep 30`);
  t.after(() => { tmux('kill-server'); });
  await until(/SipInv: $/m, 'the prompt');
  tmux('send-keys', '-t', 'sh', `hep start --udp 127.0.0.1:${port}`, 'Enter');
  await until(new RegExp(`listening for HEP on udp 127\\.0\\.0\\.1:${port} — Ctrl-C stops`), 'the listening line');
  await sendUdp(port, [hep3({ sec: 1700000000 }, crlf(request('REGISTER', { callId: 'shell-reg' }))), hep3({ sec: 1700000000, usec: 5000 }, crlf(response(200, 'OK', 'REGISTER', { callId: 'shell-reg' })))]);
  await until(/ 0 {2}22:13:20\.\d{3} {2}REGISTER 4151509 -> 8969669 {2}done 200 +2 msgs {2}shell-reg\n.*HEP on udp 127\.0\.0\.1:\d+: 2 packets, 2 SIP messages, 1 calls/, 'the rolling view');
  tmux('send-keys', '-t', 'sh', 'C-c');
  await until(/HEP collector stopped: 2 packets, 2 SIP messages, 1 new conversations[^\n]*\n1 conversations \(2 SIP messages\) extracted\nSipInv: $/m, 'the summary and the prompt back');
  tmux('send-keys', '-t', 'sh', 'show conversations', 'Enter');
  await until(/\[0\] [^\n]*: REGISTER 4151509->8969669\nSipInv: $/m, 'the collected call listed');
});
