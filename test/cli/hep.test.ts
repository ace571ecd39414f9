/**
 * `sipv hep` through the real built binary: it listens on an ephemeral port
 * (announced on stderr), we send HEP, it stops on --count, --duration or
 * SIGINT with a summary; `-w` writes a pcap that `sipv calls` reads back into
 * the same calls with the original addresses, and tshark shows the SIP.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hep2, hep3 } from '../helpers/packet-builders.js';
import { request, response } from '../helpers/messages.js';
import { BIN, BIN_MISSING, sipv } from '../helpers/run-cli.js';

const skip = { skip: BIN_MISSING };
const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'sipv-hep-'));
const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A whole call, as Kamailio would mirror it: INVITE, 100, 200, ACK, BYE, 200 between two parties. */
function callPackets(id: string, a: string, b: string, t0: number, o: { authKey?: string; compress?: boolean; ipProto?: number } = {}): Buffer[] {
  const fwd = { src: a, dst: b, sport: 5062, dport: 5060, ...o };
  const back = { src: b, dst: a, sport: 5060, dport: 5062, ...o };
  const p = { callId: id };
  const msgs: [typeof fwd, string][] = [
    [fwd, request('INVITE', p)], [back, response(100, 'Trying', 'INVITE', p)], [back, response(200, 'OK', 'INVITE', p)],
    [fwd, request('ACK', p)], [fwd, request('BYE', { ...p, cseq: 2, branch: 'z9hG4bK-2' })], [back, response(200, 'OK', 'BYE', { ...p, cseq: 2, branch: 'z9hG4bK-2' })],
  ];
  return msgs.map(([addr, text], i) => hep3({ ...addr, sec: t0, usec: i * 1000 }, crlf(text)));
}

/** `sipv calls FILE --json`, parsed; a failure shows what the program said. */
function callsJson<T = Record<string, unknown>>(path: string): T[] {
  const r = sipv(['calls', path, '--json']);
  assert.equal(r.code, 0, `sipv calls ${path}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T[];
}

interface Running {
  child: ChildProcess;
  /** The first port announced; -1 when the program ended without listening. */
  port: Promise<number>;
  /** Every port announced on the `listening for HEP on …` line, in order. */
  ports: Promise<number[]>;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

function startHep(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, 'hep', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let gotPorts!: (p: number[]) => void;
  const ports = new Promise<number[]>((resolve) => { gotPorts = resolve; });
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => {
    stderr += d;
    const line = /^listening for HEP on (.*)\n/m.exec(stderr);
    if (line) gotPorts([...line[1]!.matchAll(/:(\d+)(?=,|$)/g)].map((x) => Number(x[1])));
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => { gotPorts([-1]); resolve({ code, signal, stdout, stderr }); });
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  void done.then(() => clearTimeout(killer));
  return { child, port: ports.then((p) => p[0]!), ports, done };
}

/** stdout of a run whose stdout is a pipe: one `calls --json` object a line. */
function ndjson(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function sendUdp(host: string, port: number, packets: Buffer[]): Promise<void> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  for (const p of packets) {
    await new Promise<void>((resolve, reject) => s.send(p, port, host, (e) => (e ? reject(e) : resolve())));
    await sleep(2); // keep arrival order = send order on a busy machine
  }
  s.close();
}

test('UDP: a call and garbage, --count stops it, -w pcap reads back with the same calls and addresses', skip, async () => {
  const pcapPath = join(tmp, 'udp.pcap');
  const run = startHep(['--udp', '127.0.0.1:0', '-w', pcapPath, '--count', '14', '--json']);
  const port = await run.port;
  assert.ok(port > 0);
  await sendUdp('127.0.0.1', port, [
    ...callPackets('call-a@test', '10.0.0.1', '10.0.0.2', 1700000000),
    Buffer.from('not HEP'),
    hep3({ protoType: 5 }, Buffer.from([0x80, 0xc8, 0, 6])),
    ...callPackets('call-b@test', '2001:db8::10', '2001:db8::20', 1700000100, { compress: true }),
  ]);
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^listening for HEP on udp 127\.0\.0\.1:\d+\n/);
  assert.match(r.stderr, /HEP collector stopped: 14 packets, 12 SIP messages, 2 new conversations; dropped: 1 malformed, 0 bad auth, 1 non-SIP\n/);
  assert.match(r.stderr, /wrote .*udp\.pcap \(12 packets\)\n$/);
  const live = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.deepEqual(live.map((c) => [c['callId'], c['srcIp'], c['dstIp'], c['messages'], c['finalStatus'], c['start']]), [
    ['call-a@test', '10.0.0.1', '10.0.0.2', 6, 200, '2023-11-14T22:13:20.000000Z'],
    ['call-b@test', '2001:db8::10', '2001:db8::20', 6, 200, '2023-11-14T22:15:00.000000Z'],
  ]);
  // The file holds the same traffic: `sipv calls` on it prints the very same calls.
  assert.deepEqual(callsJson(pcapPath), live);
  const show = sipv(['show', pcapPath, '--call', 'call-b@test', '--json']);
  const msgs = (JSON.parse(show.stdout) as { messages: { src: string; dst: string; transport: string }[] }).messages;
  assert.deepEqual(msgs.slice(0, 2).map((m) => `${m.src} ${m.dst} ${m.transport}`), ['[2001:db8::10]:5062 [2001:db8::20]:5060 udp', '[2001:db8::20]:5060 [2001:db8::10]:5062 udp']);
  if (hasTshark) {
    const t = spawnSync('tshark', ['-r', pcapPath, '-T', 'fields', '-E', 'separator=,', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.method'], { encoding: 'utf8' });
    const rows = t.stdout.trim().split('\n');
    assert.equal(rows.length, 12);
    assert.equal(rows[0], '10.0.0.1,,call-a@test,INVITE');
    assert.equal(rows[6], ',2001:db8::10,call-b@test,INVITE');
    assert.equal(rows[11], ',2001:db8::20,call-b@test,BYE');
  }
});

test('TCP on [::1] with --auth: several packets per write, a packet over several writes, bad keys counted', skip, async () => {
  const pcapPath = join(tmp, 'tcp.pcap');
  const run = startHep(['--tcp', '[::1]:0', '--auth', 'k3y', '-w', pcapPath, '--count', '9']);
  const port = await run.port;
  const good = callPackets('tcp-call@test', '192.0.2.1', '192.0.2.2', 1700000200, { authKey: 'k3y', ipProto: 6 });
  const c = net.connect({ host: '::1', port });
  await new Promise((resolve) => c.once('connect', resolve));
  const write = (b: Buffer): Promise<void> => new Promise((resolve) => c.write(b, () => resolve()));
  await write(Buffer.concat(good.slice(0, 3)));
  await sleep(20);
  const fourth = good[3]!;
  for (const cut of [[0, 5], [5, 40], [40, fourth.length]]) { await write(fourth.subarray(cut[0], cut[1])); await sleep(20); }
  await write(Buffer.concat([hep3({ authKey: 'nope' }, crlf(request('INVITE', { callId: 'intruder' }))), hep3({}, crlf(request('INVITE', { callId: 'nokey' }))), ...good.slice(4)]));
  await sleep(20);
  await write(hep3({ authKey: 'k3y' }, crlf(request('OPTIONS', { callId: 'late' }))));
  const r = await run.done;
  c.destroy();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^listening for HEP on tcp \[::1\]:\d+\n/);
  // stdout is a pipe: one NDJSON line per call, the summary on stderr.
  assert.deepEqual(ndjson(r.stdout).map((c) => [c['callId'], c['messages'], c['finalStatus']]), [['tcp-call@test', 6, 200], ['late', 1, null]]);
  assert.match(r.stderr, /HEP collector stopped: 9 packets, 7 SIP messages, 2 new conversations; dropped: 0 malformed, 2 bad auth, 0 non-SIP\n/);
  const back = callsJson<{ callId: string; messages: number; finalStatus: number | null; srcIp: string }>(pcapPath);
  assert.deepEqual(back.map((k) => [k.callId, k.messages, k.finalStatus, k.srcIp]), [['tcp-call@test', 6, 200, '192.0.2.1'], ['late', 1, null, '10.1.1.1']]);
  const show = JSON.parse(sipv(['show', pcapPath, '--call', 'tcp-call@test', '--json']).stdout) as { messages: { transport: string }[] };
  assert.deepEqual(new Set(show.messages.map((m) => m.transport)), new Set(['tcp']));
});

test('SIGINT stops it cleanly: summary, exit 0, and -w flushed', skip, async () => {
  const pcapPath = join(tmp, 'sigint.pcap');
  const run = startHep(['--udp', '127.0.0.1:0', '--udp', '[::1]:0', '-w', pcapPath]);
  const m = await run.ports;
  assert.equal(m.length, 2);
  // Both sockets answer: one packet to each.
  await sendUdp('127.0.0.1', m[0]!, [hep3({}, crlf(request('INVITE', { callId: 'v4-listener' })))]);
  await sendUdp('::1', m[1]!, [hep2({}, crlf(request('INVITE', { callId: 'v6-listener' })))]);
  await sleep(300);
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.signal, null);
  assert.match(r.stderr, /HEP collector stopped: 2 packets, 2 SIP messages, 2 new conversations; dropped: 0 malformed, 0 bad auth, 0 non-SIP\n/);
  assert.deepEqual(ndjson(r.stdout).map((c) => c['callId']), ['v4-listener', 'v6-listener']);
  assert.deepEqual(callsJson<{ callId: string }>(pcapPath).map((c) => c.callId), ['v4-listener', 'v6-listener']);
});


test('--duration ends a quiet run with a zero summary', skip, async () => {
  const started = Date.now();
  const r = await startHep(['--udp', '127.0.0.1:0', '--duration', '0.5']).done;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - started >= 500);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\nHEP collector stopped: 0 packets, 0 SIP messages, 0 new conversations; dropped: 0 malformed, 0 bad auth, 0 non-SIP\n$/);
});

test('bad options, a port in use and an unwritable -w are one plain line and exit 2', skip, async () => {
  for (const [args, message] of [
    [['--udp', '127.0.0.1:99999'], "sipv: --udp wants HOST:PORT (e.g. 0.0.0.0:9060 or [::]:9060), not '127.0.0.1:99999'\n"],
    [['--tcp', ':9060'], "sipv: --tcp wants HOST:PORT (e.g. 0.0.0.0:9060 or [::]:9060), not ':9060'\n"],
    [['--count', '2.5'], "sipv: --count must be a positive whole number, not '2.5'\n"],
    [['--duration', '0'], "sipv: --duration must be a positive number, not '0'\n"],
    [['--auth', ''], 'sipv: --auth wants a key, not an empty string\n'],
    [['-w', '/nonexistent-dir/x.pcap'], /^sipv: \/nonexistent-dir\/x\.pcap: cannot write: .*\n$/],
  ] as [string[], string | RegExp][]) {
    const r = sipv(['hep', '--udp', '127.0.0.1:0', '--duration', '5', ...args]);
    assert.equal(r.code, 2, args.join(' '));
    if (typeof message === 'string') assert.equal(r.stderr, message);
    else assert.match(r.stderr, message);
  }
  const blocker = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
  const taken = blocker.address().port;
  const r = sipv(['hep', '--udp', `127.0.0.1:${taken}`, '--duration', '5']);
  blocker.close();
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `sipv: cannot listen on udp 127.0.0.1:${taken}: address already in use\n`);
});

const hasScript = spawnSync('script', ['--version']).status === 0;

test('on a terminal a live status line counts packets, messages, calls and drops', { skip: BIN_MISSING || (hasScript ? false : 'script(1) is not installed') }, async () => {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  probe.close();
  // script(1) gives the program a pseudo-terminal, as a user's shell would.
  const child = spawn('script', ['-qfec', `${process.execPath} ${BIN} hep --udp 127.0.0.1:${port} --duration 2`, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await sleep(700);
  await sendUdp('127.0.0.1', port, [hep3({}, crlf(request('INVITE', { callId: 'tty' }))), Buffer.from('junk'), hep3({ protoType: 100 }, 'log')]);
  assert.equal(await closed, 0, out);
  assert.match(out, new RegExp(`listening for HEP on udp 127\\.0\\.0\\.1:${port} — Ctrl-C stops`));
  // Cut to the terminal's width (a wrapped line could not be redrawn in place).
  assert.match(out, new RegExp(`\\r\\x1b\\[KHEP on udp 127\\.0\\.0\\.1:${port}: 3 packets, 1 SIP messages, 1 calls, dropped: 1 malformed, 0 bad auth, 1 non-SIP`));
  // The rolling view: the latest call, one line, above the status line.
  assert.match(out, /\r\x1b\[K {3}0 {2}22:13:20\.123 {2}INVITE {3}4151509 -> 8969669 {2}active +1 msgs {2}tty\r?\n\r\x1b\[KHEP on/);
  assert.match(out, /HEP collector stopped: 3 packets/);
});
