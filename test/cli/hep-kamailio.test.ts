/**
 * A real SIP server mirroring to `sipv hep`: Kamailio (Debian package) with
 * its `siptrace` module sending HEPv3 with an auth key to our collector on
 * 127.0.0.1 while sipsak and a small UDP client make calls through it. The
 * calls the collector builds must match what a parallel tcpdump of the same
 * SIP traffic shows (when we may run tcpdump), and a collector expecting
 * another key must drop everything as bad auth. Skips, saying why, when
 * Kamailio or its siptrace module is missing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, BIN_MISSING, sipv } from '../helpers/run-cli.js';

const MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
const has = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args).error === undefined;
const skip = BIN_MISSING
  || (!has('kamailio', '-v') ? 'Kamailio is not installed (apt-get install -y kamailio)'
  : !existsSync(join(MODULES, 'siptrace.so')) ? `Kamailio's siptrace module is missing (${MODULES}/siptrace.so)` : false);
const canTcpdump = has('tcpdump', '--version') && process.getuid?.() === 0;
const hasSipsak = has('sipsak', '-V');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function kamailioConfig(sipPort: number, hepPort: number, key: string): string {
  return `#!KAMAILIO
debug=1
log_stderror=yes
fork=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:${sipPort}
dns=no
rev_dns=no
disable_tcp=yes
mpath="${MODULES}/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "siptrace.so"
modparam("siptrace", "duplicate_uri", "sip:127.0.0.1:${hepPort}")
modparam("siptrace", "hep_mode_on", 1)
modparam("siptrace", "hep_version", 3)
modparam("siptrace", "hep_capture_id", 42)
modparam("siptrace", "auth_key", "${key}")
modparam("siptrace", "trace_to_database", 0)
modparam("siptrace", "trace_on", 1)
# Mirror every SIP message received and sent, through core events.
modparam("siptrace", "trace_mode", 1)
request_route {
	if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
	if (is_method("ACK")) exit;
	sl_send_reply("486", "Busy Here");
	exit;
}
`;
}

/**
 * Kamailio daemonises (fork=yes) and its children keep stderr open, so its
 * output goes to a file, not a pipe we would wait on; the pid file names the
 * main process, which stops its children on SIGTERM.
 */
function startKamailio(dir: string): { pid: number | undefined; log: () => string } {
  const logPath = join(dir, 'kamailio.log');
  const fd = openSync(logPath, 'w');
  spawnSync('kamailio', ['-f', join(dir, 'kamailio.cfg'), '-P', join(dir, 'k.pid'), '-Y', dir, '-m', '32', '-M', '8', '-w', dir], { stdio: ['ignore', fd, fd], timeout: 10_000 });
  closeSync(fd);
  const pidFile = join(dir, 'k.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) || undefined : undefined;
  return { pid, log: () => readFileSync(logPath, 'utf8') };
}

/** tcpdump says "listening on lo" once it captures; what it sees before that is lost. */
function tcpdumpListening(dump: ChildProcess, said: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    dump.stderr!.on('data', (d) => { text += d; said[0] = text; if (/listening on/.test(text)) resolve(); });
    dump.once('close', () => reject(new Error(`tcpdump ended: ${text}`)));
    setTimeout(() => reject(new Error(`tcpdump not listening after 10 s: ${text}`)), 10_000).unref();
  });
}

interface Collector {
  child: ChildProcess;
  /** Resolves once the collector says it listens (HEP sent before that would be lost). */
  listening: Promise<void>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function collector(args: string[]): Collector {
  const child = spawn(process.execPath, [BIN, 'hep', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  let listened!: () => void;
  const listening = new Promise<void>((resolve) => { listened = resolve; });
  child.stderr!.on('data', (d) => { stderr += d; if (stderr.includes('listening for HEP on')) listened(); });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => { listened(); resolve({ code, stdout, stderr }); }));
  return { child, listening, done };
}

/** Sends one SIP request from its own socket and waits for a final response; ACKs a non-2xx INVITE answer. */
async function transaction(sipPort: number, method: 'OPTIONS' | 'INVITE', id: string): Promise<string> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const local = `127.0.0.1:${s.address().port}`;
  const head = (m: string, extra: string[] = []): string => [
    `${m} sip:bob@127.0.0.1:${sipPort} SIP/2.0`, `Via: SIP/2.0/UDP ${local};branch=z9hG4bK-${id}`, 'Max-Forwards: 70',
    `From: <sip:4151509@127.0.0.1>;tag=${id}`, `To: <sip:8969669@127.0.0.1>${extra.length ? '' : ''}`, `Call-ID: ${id}@127.0.0.1`,
    `CSeq: 1 ${m}`, `Contact: <sip:alice@${local}>`, 'Content-Length: 0', '', '',
  ].join('\r\n');
  const answer = new Promise<string>((resolve) => s.on('message', (msg) => { if (!/^SIP\/2\.0 1\d\d/.test(msg.toString())) resolve(msg.toString()); }));
  s.send(head(method), sipPort, '127.0.0.1');
  const reply = await Promise.race([answer, sleep(3000).then(() => 'timeout')]);
  if (method === 'INVITE' && reply.startsWith('SIP/2.0 4')) {
    const toTag = /^To:.*$/m.exec(reply)?.[0] ?? 'To: <sip:8969669@127.0.0.1>';
    const ack = head('ACK').replace(/^To:.*$/m, toTag.trim());
    await new Promise<void>((resolve) => s.send(ack, sipPort, '127.0.0.1', () => resolve()));
  }
  s.close();
  return reply.split('\r\n')[0]!;
}

test('Kamailio siptrace mirrors HEPv3 with an auth key; sipv hep builds the calls tcpdump sees', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-kam-'));
  const [sipPort, hepPort] = [await freeUdpPort(), await freeUdpPort()];
  writeFileSync(join(dir, 'kamailio.cfg'), kamailioConfig(sipPort, hepPort, 'kam-key'));
  const hepPcap = join(dir, 'hep.pcap');
  const wirePcap = join(dir, 'wire.pcap');
  const hep = collector(['--udp', `127.0.0.1:${hepPort}`, '--auth', 'kam-key', '-w', hepPcap, '--json']);
  const dumpSaid: string[] = [''];
  const dump = canTcpdump ? spawn('tcpdump', ['-Z', 'root', '-i', 'lo', '-U', '--immediate-mode', '-n', '-w', wirePcap, `udp port ${sipPort} and not udp port ${hepPort}`], { stdio: ['ignore', 'ignore', 'pipe'] }) : undefined;
  const dumpClosed = dump ? new Promise((resolve) => dump.once('close', resolve)) : undefined;
  const kam = startKamailio(dir);
  try {
    assert.ok(kam.pid, `kamailio did not start: ${kam.log()}`);
    if (dump) await tcpdumpListening(dump, dumpSaid);
    await hep.listening;
    await sleep(300); // Kamailio's workers get ready
    const answers: string[] = [];
    if (hasSipsak) {
      for (let i = 0; i < 2; i++) {
        const r = spawnSync('sipsak', ['-s', `sip:alice@127.0.0.1:${sipPort}`], { encoding: 'utf8', timeout: 10_000 });
        answers.push(`sipsak ${r.status}`);
      }
    }
    answers.push(await transaction(sipPort, 'OPTIONS', 'opt-1'));
    answers.push(await transaction(sipPort, 'INVITE', 'inv-1'));
    answers.push(await transaction(sipPort, 'INVITE', 'inv-2'));
    assert.deepEqual(answers.slice(-3), ['SIP/2.0 200 OK', 'SIP/2.0 486 Busy Here', 'SIP/2.0 486 Busy Here']);
    if (hasSipsak) assert.deepEqual(answers.slice(0, 2), ['sipsak 0', 'sipsak 0']);
    await sleep(500);
  } finally {
    if (kam.pid) process.kill(kam.pid, 'SIGTERM');
    hep.child.kill('SIGINT');
    dump?.kill('SIGINT');
  }
  const r = await hep.done;
  await dumpClosed;
  assert.equal(r.code, 0, r.stderr);
  const calls = JSON.parse(r.stdout) as Record<string, unknown>[];
  const n = hasSipsak ? 5 : 3;
  assert.equal(calls.length, n, r.stdout + r.stderr);
  // OPTIONS: request + 200; INVITE: INVITE + 486 + ACK. Kamailio 5.6 (trace_mode 1) mirrors each
  // ACK to a stateless 486 twice, ~50 µs apart, identical, where tcpdump sees one: a duplicate.
  const expected = (hasSipsak ? 2 : 0) * 2 + 2 + 2 * 4;
  assert.match(r.stderr, new RegExp(`HEP collector stopped: ${expected} packets, ${expected} SIP messages, ${n} new conversations; dropped: 0 malformed, 0 bad auth, 0 non-SIP`));
  const inv = calls.find((c) => c['callId'] === 'inv-1@127.0.0.1')!;
  assert.deepEqual([inv['firstMethod'], inv['messages'], inv['duplicates'], inv['finalStatus'], inv['srcIp'], inv['dstIp']], ['INVITE', 4, 1, 486, '127.0.0.1', '127.0.0.1']);
  // The pcap written from HEP reads back as the same calls.
  const back = sipv(['calls', hepPcap, '--json']);
  assert.equal(back.code, 0, back.stderr);
  assert.deepEqual(JSON.parse(back.stdout), calls);
  if (dump) {
    const wire = sipv(['calls', wirePcap, '--json']);
    assert.equal(wire.code, 0, `${wire.stderr} (tcpdump said: ${dumpSaid[0]})`);
    // Kamailio's clock and the kernel's differ by microseconds, and Kamailio mirrors those ACKs
    // twice: compare the calls by everything but times and duplicate copies.
    const distinct = (cs: Record<string, unknown>[]): Record<string, unknown>[] => cs
      .map(({ start: _s, end: _e, index: _i, duplicates, messages, ...rest }): Record<string, unknown> => ({ ...rest, messages: Number(messages) - Number(duplicates) }))
      .sort((a, b) => String(a['callId']).localeCompare(String(b['callId'])));
    const wireCalls = JSON.parse(wire.stdout) as Record<string, unknown>[];
    assert.equal(wireCalls.length, n, wire.stdout);
    assert.deepEqual(distinct(calls), distinct(wireCalls));
  }
});

test('a collector expecting another key drops everything Kamailio mirrors as bad auth', { skip, timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-kam-'));
  const [sipPort, hepPort] = [await freeUdpPort(), await freeUdpPort()];
  writeFileSync(join(dir, 'kamailio.cfg'), kamailioConfig(sipPort, hepPort, 'kam-key'));
  const hep = collector(['--udp', `127.0.0.1:${hepPort}`, '--auth', 'other-key']);
  const kam = startKamailio(dir);
  try {
    assert.ok(kam.pid, `kamailio did not start: ${kam.log()}`);
    await hep.listening;
    await sleep(300);
    assert.equal(await transaction(sipPort, 'OPTIONS', 'wrong-key'), 'SIP/2.0 200 OK');
    await sleep(300);
  } finally {
    if (kam.pid) process.kill(kam.pid, 'SIGTERM');
    hep.child.kill('SIGINT');
  }
  const r = await hep.done;
  assert.equal(r.code, 0, r.stderr);
  // With stdout not a terminal, calls go out as NDJSON and the summary goes to stderr.
  assert.match(r.stderr, /HEP collector stopped: 2 packets, 0 SIP messages, 0 new conversations; dropped: 0 malformed, 2 bad auth, 0 non-SIP\n/);
});
