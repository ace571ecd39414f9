/**
 * `sipv probe mirror` and `sipv probe alg` (SPEC.md): an active test for a
 * SIP ALG from behind the customer's router, against a mirror on the other
 * side. The probe's JSON is `compare --json` grown with the probe's fields;
 * its exit code says what was found on the transport probed.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { probeAlg, probeToJson } from '../../probe/client.js';
import { Mirror, parseEndpoint, type Endpoint } from '../../probe/mirror.js';
import { measureNatTimeout, type NatTimeoutResult } from '../../probe/nat-timeout.js';
import { renderNatTimeout, renderProbe } from '../../report/probe-text.js';
import { CliError, Exit, type Io } from '../io.js';

/** Exit codes of `probe alg` beyond SPEC.md's 0/1/2. */
export const PROBE_NO_ANSWER = 3;

const TOKEN_ENV = 'SIPV_PROBE_TOKEN';

interface MirrorFlags { listen: string[]; token?: string; duration?: string; verbose?: boolean }
interface AlgFlags { transport: string; token?: string; json?: boolean; natTimeout?: boolean; maxWait: string; natPort?: string; timeout: string; bind?: string }

function endpoint(text: string, option: string, defaultPort: number): Endpoint {
  try { return parseEndpoint(text, defaultPort); } catch { throw new CliError(`${option} wants HOST[:PORT] (e.g. 0.0.0.0:5060 or [::]:5060), not '${text}'`); }
}

function seconds(text: string, option: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new CliError(`${option} wants a positive number of seconds, not '${text}'`);
  return n;
}

export async function runMirror(flags: MirrorFlags, io: Io): Promise<number> {
  const listen = flags.listen.length > 0 ? flags.listen : ['0.0.0.0:5060'];
  for (const l of listen) endpoint(l, '--listen', 5060);
  let token = flags.token ?? process.env[TOKEN_ENV];
  if (token === '') throw new CliError('--token wants a non-empty token');
  if (token === undefined) {
    token = randomBytes(9).toString('base64url');
    io.err(`token: ${token}   (give it to the probe: sipv probe alg THIS-HOST --token ${token})\n`);
  }
  const duration = flags.duration === undefined ? undefined : seconds(flags.duration, '--duration');
  const mirror = new Mirror({
    listen, token,
    log: (line) => { if (flags.verbose || !line.startsWith('ignored')) io.err(`mirror: ${line}\n`); },
  });
  try {
    await mirror.start();
  } catch (e) {
    throw new CliError(`cannot listen: ${(e as Error).message}`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); if (timer) clearTimeout(timer); resolve(); };
    const timer = duration === undefined ? undefined : setTimeout(stop, duration * 1000);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await mirror.close();
  const counts = Object.entries(mirror.policy.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  io.err(`mirror: stopped; ${counts || 'nothing received'}\n`);
  return Exit.OK;
}

export async function runProbeAlg(target: string, flags: AlgFlags, io: Io): Promise<number> {
  if (flags.transport !== 'udp' && flags.transport !== 'tcp') throw new CliError(`--transport wants udp or tcp, not '${flags.transport}'`);
  const transport = flags.transport;
  const server = endpoint(target, 'SERVER', 5060);
  if (server.port === 0) throw new CliError(`SERVER wants a port other than 0, not '${target}'`);
  const token = flags.token ?? process.env[TOKEN_ENV];
  if (token === undefined || token === '') throw new CliError(`the mirror's token is needed: --token T (or ${TOKEN_ENV}); \`sipv probe mirror\` prints it when it starts`);
  const timeoutMs = seconds(flags.timeout, '--timeout') * 1000;
  const bind = flags.bind === undefined ? undefined : endpoint(flags.bind, '--bind', 0);
  if (flags.natTimeout && transport !== 'udp') throw new CliError('--nat-timeout measures UDP bindings: use it with --transport udp');
  const maxWaitMs = seconds(flags.maxWait, '--max-wait') * 1000;
  const natPort = flags.natPort === undefined ? server.port : Number(flags.natPort);
  if (!(natPort > 0 && natPort < 65536) || !Number.isInteger(natPort)) throw new CliError(`--nat-port wants a port number, not '${flags.natPort}'`);

  let result;
  try {
    result = await probeAlg({ host: server.host, port: server.port, transport, token, timeoutMs, ...(bind ? { bind } : {}) });
  } catch (e) {
    throw new CliError(`probe to ${target} (${transport}) failed: ${(e as Error).message}`, PROBE_NO_ANSWER);
  }
  let nat: NatTimeoutResult | undefined;
  if (flags.natTimeout && result.verdict !== 'no-answer') {
    if (natPort === 5060 && result.verdict === 'alg') {
      io.err('sipv: note: a SIP ALG is at work on port 5060 and Linux-style ALGs keep SIP bindings for an hour; use --nat-port with a mirror port other than 5060 to measure the plain UDP timeout\n');
    }
    if (!flags.json) io.err(`measuring the NAT binding timeout (up to ${maxWaitMs / 1000} s per trial)…\n`);
    try {
      nat = await measureNatTimeout({ host: server.host, port: natPort, token, maxWaitMs, ...(bind ? { bind: { host: bind.host, port: 0 } } : {}) });
    } catch (e) {
      throw new CliError(`--nat-timeout: ${(e as Error).message}`, PROBE_NO_ANSWER);
    }
  }
  if (flags.json) io.out(JSON.stringify({ ...probeToJson(result), ...(nat ? { natTimeout: nat } : {}) }, null, 1) + '\n');
  else io.out(renderProbe(result, { color: io.outIsTty }) + (nat ? renderNatTimeout(nat) : ''));
  return result.verdict === 'alg' ? Exit.FOUND : result.verdict === 'no-answer' ? PROBE_NO_ANSWER : Exit.OK;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerProbe(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  const probe = program.command('probe').description('active test from behind a router: prove a SIP ALG, measure the NAT binding timeout');
  probe
    .command('mirror')
    .description('answer probe requests with exactly what arrived and where from (run it outside the NAT)')
    .option('--listen <host:port>', 'listen on UDP and TCP (repeatable; default 0.0.0.0:5060)', collect, [])
    .option('--token <t>', `answer only requests carrying this token (default: $${TOKEN_ENV}, else a random one, printed)`)
    .option('--duration <s>', 'stop after S seconds (default: until Ctrl-C)')
    .option('--verbose', 'also log every ignored packet')
    .addHelpText('after', `
Only requests with "X-Sipv-Probe: <token>" are answered, only to their source, never
with more than a fixed 1536 bytes over the request; requests over 4096 bytes get a
513, each peer address is rate-limited (burst 32, 16/s), and an idle TCP connection
is closed after 30 s.

Examples:
  sipv probe mirror --listen 0.0.0.0:5060 --token s3cret
  sipv probe mirror --listen 0.0.0.0:5060 --listen 0.0.0.0:5062   # 5062: NAT timeout away from the SIP helper`)
    .action((flags: MirrorFlags) => run(runMirror(flags, io)));
  probe
    .command('alg')
    .description('send REGISTER, INVITE+SDP and OPTIONS to a mirror and report what the path rewrote (alg / nat-only / no-nat)')
    .argument('<server>', 'the mirror, SERVER[:PORT] (default port 5060)')
    .option('--transport <t>', 'udp or tcp', 'udp')
    .option('--token <t>', `the mirror's token (default: $${TOKEN_ENV})`)
    .option('--json', 'print one JSON object: compare --json\'s shape plus transport, local, seenAs, exchanges, natTimeout')
    .option('--timeout <s>', 'wait this long for each answer', '5')
    .option('--bind <host:port>', 'send from this local address/port (e.g. 0.0.0.0:5060, as a phone would)')
    .option('--nat-timeout', 'also measure how long the router keeps an idle UDP binding')
    .option('--max-wait <s>', 'with --nat-timeout: longest idle time tried', '120')
    .option('--nat-port <port>', 'with --nat-timeout: mirror port for the trials (one the router\'s SIP helper does not watch)')
    .addHelpText('after', `
Exit codes (for the one transport probed; run once per transport):
  0  no ALG: nat-only or no-nat
  1  ALG: SIP/SDP rewritten, a request dropped, or a response not from the mirror
  2  usage error
  3  the mirror did not answer (wrong address, port or token, or blocked)

Examples:
  sipv probe alg mirror.example.net --token s3cret
  sipv probe alg mirror.example.net:5060 --transport tcp --token s3cret --json
  sipv probe alg mirror.example.net --token s3cret --nat-timeout --nat-port 5062 --max-wait 300`)
    .action((server: string, flags: AlgFlags) => run(runProbeAlg(server, flags, io)));
}
