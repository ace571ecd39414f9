/**
 * Issue 14's end-to-end check with a real SIP server: Kamailio (Debian
 * package) with its `tls` module and a self-signed certificate made here
 * listens on 127.0.0.1 on a free port; `openssl s_client` (-tls1_2, then
 * -tls1_3) sends a REGISTER and an OPTIONS and writes the NSS key log with
 * -keylogfile while tcpdump records lo. `sipv calls FILE --keylog KEYS --json`
 * must then find every SIP message, Kamailio's 200s included, and as many as
 * tshark decrypts with `-o tls.keylog_file:KEYS` on the same capture.
 * Needs root (tcpdump), openssl, Kamailio and kamailio-tls-modules; skips,
 * saying which is missing, otherwise.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';
import { labDir, LAB_MISSING, startDump, stopDump, tsharkSipCount } from './lab.js';

const MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
const has = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args).error === undefined;
const skip = BIN_MISSING || LAB_MISSING
  || (!has('kamailio', '-v') ? 'Kamailio is not installed (apt-get install -y kamailio)'
    : !existsSync(join(MODULES, 'tls.so')) ? `Kamailio's tls module is missing (apt-get install -y kamailio-tls-modules: ${MODULES}/tls.so)` : false);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function writeConfig(dir: string, port: number): void {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(made.status, 0, made.stderr);
  writeFileSync(join(dir, 'tls.cfg'), `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = ${key}
certificate = ${cert}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`);
  writeFileSync(join(dir, 'kamailio.cfg'), `#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=1
auto_aliases=no
dns=no
rev_dns=no
enable_tls=yes
listen=tls:127.0.0.1:${port}
mpath="${MODULES}/"
loadmodule "tls.so"
modparam("tls", "config", "${join(dir, 'tls.cfg')}")
loadmodule "sl.so"
request_route {
	sl_send_reply("200", "OK");
	exit;
}
`);
}

/**
 * Kamailio in the foreground (-DD) logging to stderr (-E), which goes to a
 * file: its worker processes inherit the descriptors, so a pipe would never
 * close. We kill the pid we started; SIGTERM stops its children too.
 */
async function startKamailio(dir: string, port: number): Promise<{ child: ChildProcess; log: () => string }> {
  const logPath = join(dir, 'kamailio.log');
  const fd = openSync(logPath, 'w');
  const child = spawn('kamailio', ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-m', '32', '-M', '8', '-Y', dir, '-w', dir], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const log = (): string => readFileSync(logPath, 'utf8');
  let exited: number | null | undefined;
  child.once('exit', (code) => { exited = code; });
  // Ready once the TLS port accepts TCP connections (before tcpdump runs, so the probe is not captured).
  for (let waited = 0; ; waited += 100) {
    if (exited !== undefined) throw new Error(`kamailio exited ${exited}: ${log()}`);
    if (waited > 10_000) { child.kill('SIGKILL'); throw new Error(`kamailio not listening on ${port} after 10 s: ${log()}`); }
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => { c.destroy(); resolve(true); });
      c.once('error', () => resolve(false));
    });
    if (ok) break;
    await sleep(100);
  }
  await sleep(200);
  return { child, log };
}

async function stopKamailio(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(kill);
}

function request(method: 'REGISTER' | 'OPTIONS', id: string, port: number, version: string): string {
  const ruri = method === 'REGISTER' ? `sips:localhost:${port}` : `sips:kamailio@localhost:${port}`;
  return [
    `${method} ${ruri} SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-${id}-${version};rport`,
    'Max-Forwards: 70',
    `From: <sips:alice@localhost>;tag=${id}`,
    `To: <sips:${method === 'REGISTER' ? 'alice' : 'kamailio'}@localhost>`,
    `Call-ID: kam-${method.toLowerCase()}-${version}@127.0.0.1`,
    `CSeq: 1 ${method}`,
    'Contact: <sips:alice@127.0.0.1:5061>',
    ...(method === 'REGISTER' ? ['Expires: 60'] : []),
    'Content-Length: 0',
    '', '',
  ].join('\n'); // s_client -crlf makes these CRLF
}

/**
 * `openssl s_client -tls1_x -keylogfile KEYS` sends REGISTER, waits for
 * Kamailio's 200, sends OPTIONS, waits again, then ends its input: with
 * -no_ign_eof it then closes the connection (close_notify) and exits;
 * -nocommands, or the "R" of REGISTER at the start of a line would renegotiate.
 */
async function exchange(port: number, flag: '-tls1_2' | '-tls1_3', keylog: string): Promise<{ replies: string[]; protocol: string }> {
  const version = flag.slice(1);
  const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, flag, '-crlf', '-quiet', '-no_ign_eof', '-nocommands', '-keylogfile', keylog], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  client.stdout!.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  client.stderr!.on('data', (d: Buffer) => { err += d.toString('latin1'); });
  const exited = once(client, 'exit');
  const replies = (): string[] => out.split('\r\n').filter((l) => l.startsWith('SIP/2.0 '));
  try {
    for (const [n, method] of [[1, 'REGISTER'], [2, 'OPTIONS']] as const) {
      client.stdin!.write(request(method, `k${n}`, port, version));
      for (let waited = 0; replies().length < n; waited += 50) {
        if (waited > 10_000 || client.exitCode !== null) throw new Error(`no answer to ${method} over ${version}: ${out} ${err}`);
        await sleep(50);
      }
    }
    client.stdin!.end();
    await Promise.race([exited, sleep(3000)]);
  } finally {
    if (client.exitCode === null && client.signalCode === null) client.kill();
  }
  // s_client -quiet says nothing about the protocol; the key log's labels do.
  const keys = readFileSync(keylog, 'latin1');
  const protocol = /^CLIENT_TRAFFIC_SECRET_0 /m.test(keys) ? 'TLSv1.3' : /^CLIENT_RANDOM /m.test(keys) ? 'TLSv1.2' : 'none';
  return { replies: replies(), protocol };
}

interface CallJson { callId: string; firstMethod: string; messages: number; finalStatus: number | null }

test('real Kamailio over TLS 1.2 and 1.3 (openssl s_client key log, tcpdump on lo): sipv calls --keylog finds every SIP message, as many as tshark', { skip, timeout: 60_000 }, async () => {
  const dir = labDir();
  const port = await freeTcpPort();
  writeConfig(dir, port);
  const kam = await startKamailio(dir, port);
  const seen: string[] = [];
  try {
    for (const flag of ['-tls1_2', '-tls1_3'] as const) {
      const version = flag.slice(1);
      const pcap = join(dir, `kamailio-${version}.pcap`);
      const keylog = join(dir, `kamailio-${version}.keys`);
      const dump = await startDump(pcap, port);
      let run: Awaited<ReturnType<typeof exchange>>;
      try {
        run = await exchange(port, flag, keylog);
      } finally {
        await stopDump(dump);
      }
      assert.deepEqual(run.replies, ['SIP/2.0 200 OK', 'SIP/2.0 200 OK'], `Kamailio answered both over ${version}`);
      assert.equal(run.protocol, version === 'tls1_2' ? 'TLSv1.2' : 'TLSv1.3', `the key log is ${version}'s`);

      const r = sipv(['calls', pcap, '--keylog', keylog, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', `no TLS warnings over ${version}`);
      const calls = (JSON.parse(r.stdout) as CallJson[]).map((c) => [c.callId, c.firstMethod, c.messages, c.finalStatus]);
      assert.deepEqual(calls.sort(), [
        [`kam-options-${version}@127.0.0.1`, 'OPTIONS', 2, 200],
        [`kam-register-${version}@127.0.0.1`, 'REGISTER', 2, 200],
      ], `every request and Kamailio's reply over ${version}`);
      const ours = calls.reduce((n, c) => n + Number(c[2]), 0);
      // Kamailio's replies really are in the capture, as TLS: the show view marks them.
      const show = sipv(['show', pcap, '--keylog', keylog, '--call', '0', '--json']);
      assert.equal(show.code, 0, show.stderr);
      const msgs = (JSON.parse(show.stdout) as { messages: { transport: string }[] }).messages;
      assert.deepEqual(msgs.map((m) => m.transport), ['tls', 'tls']);

      const shark = tsharkSipCount(pcap, keylog, port);
      if (shark !== undefined) assert.equal(ours, shark, `tshark decrypts as many SIP messages over ${version}`);
      seen.push(`${version}: sipv ${ours}, tshark ${shark ?? 'n/a'}`);
    }
  } finally {
    await stopKamailio(kam.child);
  }
  assert.equal(seen.length, 2);
  console.log(`Kamailio TLS, SIP messages found: ${seen.join('; ')}`);
});
