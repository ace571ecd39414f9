/**
 * `probe alg` end to end on 127.0.0.1: straight to the mirror (no NAT), and
 * through the in-process relay acting as a plain NAT, as an ALG that rewrites
 * the client's address, as one that drops INVITEs, and as one that answers
 * INVITEs itself. Also the CLI: JSON shape and exit codes.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { probeAlg, probeToJson, type ProbeResult } from '../../src/probe/client.js';
import { Mirror } from '../../src/probe/mirror.js';
import { REPO } from '../helpers/paths.js';
import { Relay } from './relay.js';

const TOKEN = 'unit-token';
let mirror: Mirror;
let port = 0;

before(async () => {
  mirror = new Mirror({ listen: ['127.0.0.1:0'], token: TOKEN, burst: 1000, perSecond: 1000 });
  await mirror.start();
  port = mirror.bound[0]!.port;
});
after(async () => { await mirror.close(); });

const algWheres = (r: ProbeResult, label: string) => r.compare.pairs.find((p) => p.label === label)?.changes.filter((c) => c.kind === 'alg').map((c) => c.where);

async function viaRelay(o: Omit<ConstructorParameters<typeof Relay>[0], 'target'>, f: (port: number) => Promise<void>): Promise<void> {
  const relay = new Relay({ target: { host: '127.0.0.1', port }, ...o });
  await relay.start();
  try { await f(relay.port); } finally { await relay.close(); }
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`${transport}, no NAT: verdict no-nat, the mirror saw our own address, nothing changed`, async () => {
    const r = await probeAlg({ host: '127.0.0.1', port, transport, token: TOKEN, timeoutMs: 2000 });
    assert.equal(r.verdict, 'no-nat');
    assert.equal(r.seenAs, r.local);
    assert.deepEqual(r.exchanges.map((e) => [e.method, e.answeredBy]), [['REGISTER', 'mirror'], ['INVITE', 'mirror'], ['OPTIONS', 'mirror']]);
    assert.equal(r.compare.pairs.length, 6);
    assert.ok(r.compare.pairs.every((p) => p.changes.length === 0), JSON.stringify(r.compare.pairs.map((p) => p.changes)));
    assert.deepEqual(r.findings, []);
    assert.equal(r.compare.pairs[0]!.label, 'REGISTER');
    assert.equal(r.compare.pairs[1]!.label, '200 OK (REGISTER)');
  });
}

test('wrong token: no answer at all, verdict no-answer', async () => {
  const r = await probeAlg({ host: '127.0.0.1', port, transport: 'udp', token: 'wrong', timeoutMs: 600 });
  assert.equal(r.verdict, 'no-answer');
  assert.equal(r.seenAs, null);
  assert.ok(r.exchanges.every((e) => e.answeredBy === 'none'));
});

test('plain NAT (relay): nat-only, only packet.src/dst translated', async () => {
  await viaRelay({}, async (rp) => {
    const r = await probeAlg({ host: '127.0.0.1', port: rp, transport: 'udp', token: TOKEN, timeoutMs: 2000 });
    assert.equal(r.verdict, 'nat-only');
    assert.notEqual(r.seenAs, r.local);
    const reg = r.compare.pairs.find((p) => p.label === 'REGISTER')!;
    assert.deepEqual(reg.changes.map((c) => [c.where, c.kind]), [['packet.src', 'nat']]);
    assert.deepEqual(r.findings, []);
  });
});

test('rewriting ALG (relay): alg, Via/From/To/Contact rewritten out and back, findings alg.rewrite', async () => {
  await viaRelay({ alg: true }, async (rp) => {
    const r = await probeAlg({ host: '127.0.0.1', port: rp, transport: 'udp', token: TOKEN, timeoutMs: 2000 });
    assert.equal(r.verdict, 'alg');
    assert.deepEqual(algWheres(r, 'REGISTER'), ['Via', 'From', 'To', 'Contact']);
    assert.deepEqual(algWheres(r, 'INVITE'), ['Via', 'From', 'Contact']);
    // The response the mirror sent carried the public address; the ALG put the private one back.
    assert.deepEqual(algWheres(r, '200 OK (REGISTER)'), ['Via', 'From', 'To']);
    const via = r.compare.pairs.find((p) => p.label === 'REGISTER')!.changes.find((c) => c.where === 'Via')!;
    assert.match(via.before, new RegExp(`^SIP/2\\.0/UDP ${r.local.replace(/\./g, '\\.')};`));
    assert.match(via.after, new RegExp(`^SIP/2\\.0/UDP ${r.seenAs!.replace(/\./g, '\\.')};`));
    assert.ok(r.findings.some((f) => f.code === 'alg.rewrite'));
    const json = probeToJson(r);
    for (const k of ['verdict', 'pairs', 'onlyBefore', 'onlyAfter', 'findings']) assert.ok(k in json, k);
  });
});

test('ALG dropping INVITEs: alg with alg.dropped for the INVITE, the others echoed', async () => {
  await viaRelay({ drop: 'INVITE' }, async (rp) => {
    const r = await probeAlg({ host: '127.0.0.1', port: rp, transport: 'udp', token: TOKEN, timeoutMs: 800 });
    assert.equal(r.verdict, 'alg');
    assert.deepEqual(r.exchanges.map((e) => e.answeredBy), ['mirror', 'none', 'mirror']);
    const drop = r.findings.find((f) => f.code === 'alg.dropped');
    assert.ok(drop, JSON.stringify(r.findings));
    assert.match(drop.summary, /^INVITE /);
  });
});

test('ALG answering INVITEs itself: alg, alg.warning names the foreign 403 and the drop', async () => {
  await viaRelay({ answer: { method: 'INVITE', status: '403 Forbidden' } }, async (rp) => {
    const r = await probeAlg({ host: '127.0.0.1', port: rp, transport: 'udp', token: TOKEN, timeoutMs: 800 });
    assert.equal(r.verdict, 'alg');
    const inv = r.exchanges.find((e) => e.method === 'INVITE')!;
    assert.equal(inv.answeredBy, 'other');
    assert.deepEqual(inv.otherAnswers.map((a) => a.status), ['403 Forbidden']);
    const w = r.findings.find((f) => f.code === 'alg.warning');
    assert.ok(w);
    assert.match(w.summary, /answered the INVITE itself with 403 Forbidden .*the mirror never saw the request/);
    assert.ok(r.findings.some((f) => f.code === 'alg.dropped'));
  });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('CLI: probe alg --json is compare\'s shape plus the probe fields; exit 0 for no-nat, 3 for no answer, 2 for usage', async () => {
  const ok = await cli(['probe', 'alg', `127.0.0.1:${port}`, '--token', TOKEN, '--json', '--timeout', '2']);
  assert.equal(ok.code, 0, ok.stderr);
  const j = JSON.parse(ok.stdout) as Record<string, unknown>;
  assert.equal(j['verdict'], 'no-nat');
  assert.deepEqual(Object.keys(j).slice(0, 5), ['verdict', 'pairs', 'onlyBefore', 'onlyAfter', 'findings']);
  assert.equal(j['transport'], 'udp');
  const text = await cli(['probe', 'alg', `127.0.0.1:${port}`, '--token', TOKEN, '--transport', 'tcp', '--timeout', '2']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^verdict: no NAT: .*\(tcp\)$/m);
  const none = await cli(['probe', 'alg', `127.0.0.1:${port}`, '--token', 'nope', '--timeout', '0.5']);
  assert.equal(none.code, 3);
  assert.match(none.stdout, /^verdict: no answer/m);
  const bad = await cli(['probe', 'alg', `127.0.0.1:${port}`, '--token', TOKEN, '--transport', 'sctp']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^sipv: --transport wants udp or tcp/);
});

test('CLI: probe alg through a rewriting ALG exits 1 and says ALG', async () => {
  await viaRelay({ alg: true }, async (rp) => {
    const r = await cli(['probe', 'alg', `127.0.0.1:${rp}`, '--token', TOKEN, '--timeout', '2']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^verdict: ALG/m);
    assert.match(r.stdout, /alg\.rewrite/);
  });
});
