/**
 * `sipv probe alg` against `sipv probe mirror` through the real lab
 * (test/lab/netns-lab.sh): the Linux kernel's SIP ALG (nf_conntrack_sip +
 * nf_nat_sip) on and off in the router, masquerade NAT, the mirror on
 * 203.0.113.20 in the server namespace beside Kamailio. The rewrites the probe
 * reports are checked against what `sipv compare` finds on the lab's own
 * captures (test/fixtures/lab), and `--nat-timeout` against the router's
 * `nf_conntrack_udp_timeout`.
 *
 * Skips, saying why, only when the lab cannot run: not root, no network
 * namespaces or SIP conntrack helper, a lab tool missing, or (run from dist)
 * no built binary.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, REPO } from '../helpers/paths.js';

const SCRIPT = join(REPO, 'test', 'lab', 'netns-lab.sh');
const NS = `sipvp${process.pid % 10000}`;
const env = { ...process.env, LAB_NS: NS, NO_COLOR: '1' };
const MIRROR = '203.0.113.20';
const TOKEN = 'lab-probe-token';
// Under tsx run the sources; compiled (npm test) run the built binary, as a user would.
const underTsx = fileURLToPath(import.meta.url).endsWith('.ts');
const BIN = join(REPO, 'dist', 'src', 'cli', 'main.js');
const CLI = underTsx ? ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts')] : [BIN];

function why(): string | false {
  if (!underTsx && !existsSync(BIN)) return `no ${BIN}: run npm run build first`;
  if (process.getuid?.() !== 0) return 'the NAT/ALG lab needs root (network namespaces, nftables)';
  const r = spawnSync('bash', [SCRIPT, 'check'], { env, encoding: 'utf8' });
  return r.status === 0 ? false : `the NAT/ALG lab cannot run here: ${(r.stdout + r.stderr).trim()}`;
}
const skip = why();

function lab(...args: string[]): string {
  const r = spawnSync('bash', [SCRIPT, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `netns-lab.sh ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

interface Change { where: string; before: string; after: string; kind: 'nat' | 'alg' }
interface Pair { label: string; changes: Change[] }
interface Probe {
  verdict: string; pairs: Pair[]; onlyBefore: number[]; onlyAfter: number[]; findings: { code: string }[];
  transport: string; local: string; seenAs: string; exchanges: { method: string; answeredBy: string }[];
  natTimeout?: { timeoutS: number | null; survivedMs: number; expiredMs: number | null; keepaliveS: number };
}

/** `sipv probe alg … --json` run inside a namespace: exit code and parsed output. */
function probe(where: 'ph1' | 'srv', ...args: string[]): { code: number | null; j: Probe } {
  const r = spawnSync('ip', ['netns', 'exec', `${NS}-${where}`, process.execPath, ...CLI, 'probe', 'alg', MIRROR, '--token', TOKEN, '--json', '--timeout', '2', ...args],
    { cwd: REPO, env, encoding: 'utf8', timeout: 80_000 });
  assert.ok(r.stdout.startsWith('{'), `probe ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return { code: r.status, j: JSON.parse(r.stdout) as Probe };
}

const algOf = (j: Probe, label: string) => {
  const p = j.pairs.find((x) => x.label === label);
  assert.ok(p, `no pair ${label} in ${j.pairs.map((x) => x.label).join(', ')}`);
  return p.changes.filter((c) => c.kind === 'alg');
};

let mirror: ChildProcess | undefined;

before(async () => {
  if (skip) return;
  lab('up');
  lab('mirror-addr');
  mirror = spawn('ip', ['netns', 'exec', `${NS}-srv`, process.execPath, ...CLI, 'probe', 'mirror', '--listen', `${MIRROR}:5060`, '--listen', `${MIRROR}:5062`, '--token', TOKEN, '--duration', '120'],
    { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`mirror did not start: ${log}`)), 15_000);
    mirror!.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if ((log.match(/listening on/g) ?? []).length === 2) { clearTimeout(t); resolve(); }
    });
  });
});

after(() => {
  if (mirror?.pid !== undefined && mirror.exitCode === null) mirror.kill('SIGTERM');
  if (!skip) spawnSync('bash', [SCRIPT, 'down'], { env });
});

test('ALG on, UDP: verdict alg (exit 1) with the rewrites compare finds on the lab captures', { skip }, () => {
  lab('alg-on');
  const { code, j } = probe('ph1');
  assert.equal(code, 1);
  assert.equal(j.verdict, 'alg');
  assert.deepEqual(j.exchanges.map((e) => e.answeredBy), ['mirror', 'mirror', 'mirror']);
  const [privIp] = j.local.split(':'), [pubIp] = j.seenAs.split(':');
  assert.equal(privIp, '192.168.20.100');
  assert.equal(pubIp, '203.0.113.1');
  // The kernel also maps From/To when they name the phone's address:port (compare's lab UAs put the domain there).
  assert.deepEqual(algOf(j, 'REGISTER').map((c) => c.where), ['Via', 'From', 'To', 'Contact']);
  const inv = algOf(j, 'INVITE');
  assert.deepEqual(inv.map((c) => c.where), ['Via', 'From', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  const cl = inv.find((c) => c.where === 'Content-Length')!;
  assert.equal(Number(cl.before) - Number(cl.after), 2 * ('192.168.20.100'.length - '203.0.113.1'.length));
  assert.deepEqual(inv.filter((c) => c.where === 'sdp.c').map((c) => [c.before, c.after]), [['IN IP4 192.168.20.100', 'IN IP4 203.0.113.1']]);
  // The responses came back with the public address turned private again, as in the lab's 200 OK (REGISTER).
  for (const label of ['200 OK (REGISTER)', '200 OK (INVITE)', '200 OK (OPTIONS)']) {
    const via = algOf(j, label).find((c) => c.where === 'Via');
    assert.ok(via, label);
    assert.match(via.before, /192\.168\.20\.100/);
    assert.match(via.after, /203\.0\.113\.1/);
  }
  // Cross-check with compare on the lab's captures of a real phone's INVITE through the same ALG.
  const cmp = spawnSync(process.execPath, [...CLI, 'compare', join(FIXTURES, 'lab', 'invite-on-lan.pcap'), join(FIXTURES, 'lab', 'invite-on-wan.pcap'), '--json'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(cmp.status, 0, cmp.stderr);
  const labInvite = (JSON.parse(cmp.stdout) as Probe).pairs.find((p) => p.label === 'INVITE')!;
  const labWheres = labInvite.changes.filter((c) => c.kind === 'alg').map((c) => c.where);
  assert.deepEqual(labWheres, ['Via', 'Contact', 'Content-Length', 'sdp.o', 'sdp.c']);
  assert.deepEqual(inv.map((c) => c.where).filter((w) => w !== 'From'), labWheres);
  assert.ok(j.findings.some((f) => f.code === 'alg.rewrite'));
});

test('ALG on, TCP: nat-only (exit 0) — the lab\'s helper watches UDP 5060 only', { skip }, () => {
  const { code, j } = probe('ph1', '--transport', 'tcp');
  assert.equal(code, 0);
  assert.equal(j.verdict, 'nat-only');
  assert.equal(j.transport, 'tcp');
  assert.ok(j.pairs.every((p) => p.changes.every((c) => c.kind === 'nat')));
});

test('ALG off, UDP: nat-only (exit 0), only the source translated', { skip }, () => {
  lab('alg-off');
  const { code, j } = probe('ph1');
  assert.equal(code, 0);
  assert.equal(j.verdict, 'nat-only');
  assert.match(j.seenAs, /^203\.0\.113\.1:\d+$/);
  assert.deepEqual(algOf(j, 'INVITE'), []);
  assert.deepEqual(j.findings, []);
});

test('no router (client in the server network): no-nat (exit 0)', { skip }, () => {
  const { code, j } = probe('srv');
  assert.equal(code, 0);
  assert.equal(j.verdict, 'no-nat');
  assert.equal(j.seenAs, j.local);
});

test('--nat-timeout, ALG off, router UDP timeout 5 s: found within ±1 s', { skip }, () => {
  lab('alg-off');
  lab('udp-timeout', '5');
  try {
    const { code, j } = probe('ph1', '--nat-timeout', '--max-wait', '12');
    assert.equal(code, 0);
    const n = j.natTimeout!;
    assert.ok(n.timeoutS !== null && Math.abs(n.timeoutS - 5) <= 1, JSON.stringify(n));
    assert.equal(n.keepaliveS, 2);
  } finally {
    lab('udp-timeout', '30', '120');
  }
});

test('--nat-timeout, ALG on, trials on mirror port 5062 (no SIP helper there): still 5 s ±1', { skip }, () => {
  lab('alg-on');
  lab('udp-timeout', '5');
  try {
    const { code, j } = probe('ph1', '--nat-timeout', '--max-wait', '12', '--nat-port', '5062');
    assert.equal(code, 1, 'the ALG is on: the probe itself still says alg');
    const n = j.natTimeout!;
    assert.ok(n.timeoutS !== null && Math.abs(n.timeoutS - 5) <= 1, JSON.stringify(n));
  } finally {
    lab('udp-timeout', '30', '120');
    lab('alg-off');
  }
});
