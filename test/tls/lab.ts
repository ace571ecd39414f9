/**
 * A real SIP-over-TLS exchange on 127.0.0.1, captured by tcpdump while Node's
 * TLS stack writes the key log (the `keylog` event gives NSS lines, as
 * SSLKEYLOGFILE would). The client sends SIP requests; the server answers each
 * with a 200. Needs root (tcpdump on lo) and openssl (the self-signed cert);
 * `LAB_MISSING` says why not when they are absent.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const LAB_MISSING: string | false =
  process.getuid?.() !== 0 ? 'tcpdump on lo needs root'
    : !which('tcpdump') ? 'no tcpdump'
      : !which('openssl') ? 'no openssl' : false;

export const labDir = (): string => mkdtempSync(join(tmpdir(), 'sipv-tls-'));

/** A self-signed RSA certificate for the server, made once per directory. */
export function selfSigned(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  if (!existsSync(cert)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=sip.test'], { stdio: 'ignore' });
  }
  return { key, cert };
}

export function sipRequest(method: string, n: number, port: number): string {
  return [
    `${method} sips:alice@sip.test SIP/2.0`,
    `Via: SIP/2.0/TLS 127.0.0.1:${port + 1};branch=z9hG4bK-tls-${n}`,
    'Max-Forwards: 70',
    `From: <sips:bob@sip.test>;tag=f${n}`,
    'To: <sips:alice@sip.test>',
    `Call-ID: tls-call-${n}@127.0.0.1`,
    `CSeq: ${n} ${method}`,
    'Content-Length: 0',
    '', '',
  ].join('\r\n');
}

/** Answers a request with 200 OK, copying the headers a response must echo. */
function ok(request: string): string {
  const keep = request.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  return ['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n');
}

export interface TlsRun {
  /** tls.connect / createServer options for this run (versions, ciphers). */
  client?: tls.ConnectionOptions;
  server?: Partial<tls.TlsOptions>;
  requests: number;
  /** Each request in its own write, and wait for the answer before the next. */
  method?: string;
}

export interface LabResult {
  pcap: string;
  keylog: string;
  /** What the TLS layer reported: negotiated protocol and cipher. */
  protocol: string | null;
  cipher: string;
  sent: number;
  answered: number;
}

/** Runs one exchange under tcpdump and returns the capture and key log paths. */
export async function captureTls(dir: string, name: string, port: number, run: TlsRun): Promise<LabResult> {
  const { key, cert } = selfSigned(dir);
  const pcap = join(dir, `${name}.pcap`);
  const keylog = join(dir, `${name}.keys`);
  writeFileSync(keylog, '');
  const dump = await startDump(pcap, port);
  try {
    return await exchange(key, cert, pcap, keylog, port, run);
  } finally {
    await stopDump(dump);
  }
}

async function exchange(key: string, cert: string, pcap: string, keylog: string, port: number, run: TlsRun): Promise<LabResult> {
  const server = tls.createServer({ key: readPem(key), cert: readPem(cert), ...run.server }, (sock) => {
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        sock.write(ok(buf.slice(0, end + 4)));
        buf = buf.slice(end + 4);
      }
    });
    sock.on('error', () => {});
  });
  server.on('keylog', (line: Buffer) => appendFileSync(keylog, line));
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...run.client });
  sock.on('keylog', (line: Buffer) => appendFileSync(keylog, line));
  sock.setTimeout(10_000, () => sock.destroy(new Error('the TLS exchange stalled')));
  try {
    await once(sock, 'secureConnect');
  } catch (e) {
    server.close();
    throw e;
  }
  const protocol = sock.getProtocol();
  const cipher = sock.getCipher().standardName;
  let answered = 0;
  let pending = '';
  for (let n = 1; n <= run.requests; n++) {
    sock.write(sipRequest(run.method ?? 'OPTIONS', n, port));
    while (answered < n) {
      const [d] = (await once(sock, 'data')) as [Buffer];
      pending += d.toString('latin1');
      answered = pending.split('SIP/2.0 200 OK').length - 1;
    }
  }
  sock.end();
  await once(sock, 'close');
  server.close();
  return { pcap, keylog, protocol, cipher, sent: run.requests, answered };
}

function readPem(path: string): Buffer {
  return execFileSync('cat', [path]);
}

/**
 * TLS 1.3 with KeyUpdates: `openssl s_client` (its `k`/`K` command lines send a
 * KeyUpdate, the latter asking the peer to update too) against the Node server.
 * s_client writes its own key log with -keylogfile.
 */
export async function captureKeyUpdate(dir: string, port: number): Promise<LabResult> {
  const { key, cert } = selfSigned(dir);
  const pcap = join(dir, 'keyupdate.pcap');
  const keylog = join(dir, 'keyupdate.keys');
  const dump = await startDump(pcap, port);
  let answered = 0;
  const server = tls.createServer({ key: readPem(key), cert: readPem(cert) }, (sock) => {
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        sock.write(ok(buf.slice(0, end + 4)));
        answered++;
        buf = buf.slice(end + 4);
      }
    });
    sock.on('error', () => {});
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  // Without -ign_eof (nor -quiet, which implies it), so that command letters work; -crlf turns our LF lines back into CRLF.
  const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-crlf', '-keylogfile', keylog], { stdio: ['pipe', 'ignore', 'ignore'] });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await pause(700);
    const lines = (n: number) => sipRequest('OPTIONS', n, port).replace(/\r\n/g, '\n');
    for (const [n, command] of [[1, 'k'], [2, 'K'], [3, '']] as const) {
      client.stdin.write(lines(n));
      for (let waited = 0; answered < n; waited += 50) {
        if (waited > 10_000) throw new Error(`no answer to request ${n}`);
        await pause(50);
      }
      if (command !== '') client.stdin.write(`${command}\n`);
      await pause(200);
    }
    client.stdin.end();
    await Promise.race([once(client, 'exit'), pause(3000)]);
  } finally {
    client.kill();
    server.close();
    await stopDump(dump);
  }
  return { pcap, keylog, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', sent: 3, answered };
}

export async function startDump(pcap: string, port: number): Promise<ReturnType<typeof spawn>> {
  const dump = spawn('tcpdump', ['-i', 'lo', '-U', '--immediate-mode', '-n', '-s', '0', '-w', pcap, `tcp port ${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    dump.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) resolve();
    });
    dump.on('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${err}`)));
  });
  await new Promise((r) => setTimeout(r, 500));
  return dump;
}

/** Lets tcpdump see the last packets (FINs), then stops it and waits for the file to be complete. */
export async function stopDump(dump: ReturnType<typeof spawn>): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  dump.kill('SIGTERM');
  await once(dump, 'exit');
}

/** tshark's view of the same capture and key log: SIP messages it decrypts (undefined without tshark). */
export function tsharkSipCount(pcap: string, keylog: string, port: number): number | undefined {
  if (!which('tshark')) return undefined;
  const r = spawnSync('tshark', ['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-d', `tcp.port==${port},tls`, '-d', `tls.port==${port},sip`,
    '-Y', 'sip', '-T', 'fields', '-e', 'sip.CSeq', '-E', 'occurrence=a', '-E', 'separator=|'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '').reduce((n, l) => n + l.split('|').length, 0);
}
