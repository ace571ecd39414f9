#!/usr/bin/env node
/**
 * `npm run bench:store`: the issue-13 benchmark. Indexes a generated capture
 * (../shared/tools/gen-sip-pcap, cached outside the repository) into DuckDB —
 * and ClickHouse when a server answers (a private one is started from the
 * installed clickhouse-server, as test/store does) — then answers the same
 * questions from the store and from the capture, side by side:
 *   sipv calls --where "dstnum N" --json   (N: the callee of a call in the middle, a few calls)
 *   sipv show --call CALL-ID --json
 * Index runs are timed with and without findings; queries run several times
 * (median). Wall, CPU (user+sys) and max RSS come from GNU time. Results go to
 * stdout and bench/store-results.md.
 *
 *   node bench/store.mjs [--size 1G] [--capture FILE] [--runs 3] [--file-runs 1]
 *                        [--clickhouse auto|off|http://host:8123] [--cache /tmp/sipv-bench]
 *                        [--out bench/store-results.md]
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.SIPV_SHARED ?? join(REPO, '..', 'shared');
const GEN = join(SHARED, 'tools', 'gen-sip-pcap');
const SIPV = join(REPO, 'dist', 'src', 'cli', 'main.js');
const GNU_TIME = ['/usr/bin/time', '/usr/local/bin/gtime'].find((p) => existsSync(p));

const args = parseArgs(process.argv.slice(2));
const size = args.size ?? '1G';
const runs = Number(args.runs ?? 3);
const fileRuns = Number(args['file-runs'] ?? 1);
const cache = resolve(args.cache ?? process.env.SIPV_BENCH_DIR ?? '/tmp/sipv-bench');
const outFile = resolve(args.out ?? join(REPO, 'bench', 'store-results.md'));
const chWanted = args.clickhouse ?? 'auto';


const log = (s) => process.stderr.write(s + '\n');

function capture() {
  if (args.capture) return resolve(args.capture);
  mkdirSync(cache, { recursive: true });
  const pcap = join(cache, `sip-${size}-seed1.pcap`);
  if (!existsSync(pcap)) {
    log(`generating ${pcap}`);
    execFileSync(GEN, ['--target-bytes', size, '--seed', '1', '-q', '-o', pcap + '.part'], { stdio: 'inherit' });
    execFileSync('mv', [pcap + '.part', pcap]);
  }
  return pcap;
}

/** One run of `sipv ARGS`: wall s, cpu s (user+sys), max RSS MB, stdout. */
function sipv(argv) {
  const cmd = GNU_TIME ? [GNU_TIME, '-f', '@@TIME %e %U %S %M', 'node', SIPV, ...argv] : ['node', SIPV, ...argv];
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`sipv ${argv.join(' ')} exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  const m = /@@TIME (\S+) (\S+) (\S+) (\d+)/.exec(r.stderr ?? '');
  return { wall: m ? Number(m[1]) : wall, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, rss: m ? Number(m[4]) / 1024 : NaN, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function timed(label, argv, n) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    samples.push(sipv(argv));
    const s = samples[samples.length - 1];
    log(`  ${label} ${i + 1}/${n}: ${s.wall.toFixed(3)} s wall, ${s.cpu.toFixed(2)} s cpu, ${s.rss.toFixed(0)} MB`);
  }
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)), rss: Math.max(...samples.map((s) => s.rss)), stdout: samples[0].stdout };
}

// ---------------------------------------------------------------- ClickHouse

async function ping(url) {
  try {
    return (await fetch(`${url}/ping`)).ok;
  } catch {
    return false;
  }
}

/** A ClickHouse HTTP URL, and how to stop it when we started it; undefined when none. */
async function clickhouse() {
  if (chWanted === 'off') return undefined;
  if (chWanted !== 'auto') return { url: chWanted.replace(/\/$/, ''), stop: () => undefined, how: 'given' };
  if (await ping('http://127.0.0.1:8123')) return { url: 'http://127.0.0.1:8123', stop: () => undefined, how: 'running on :8123' };
  // A private server exactly as the store tests start one (built by npm run build with the tests).
  const { startClickHouse, clickhouseBinary } = await import(join(REPO, 'dist', 'test', 'store', 'clickhouse-server.js'));
  const server = await startClickHouse();
  if (typeof server === 'string') return undefined;
  return { url: server.base.replace(/^clickhouse:/, 'http:'), stop: server.stop, how: `private ${clickhouseBinary()} (data in ${tmpdir()})` };
}

// ---------------------------------------------------------------- main

if (!existsSync(SIPV)) throw new Error(`build first: ${SIPV} is missing (npm run build)`);
const pcap = capture();
const bytes = statSync(pcap).size;
const mib = bytes / 2 ** 20;
const work = mkdtempSync(join(cache, 'store-'));
const rows = [];
const notes = [];
let calls = 0;
const ch = await clickhouse();
if (ch === undefined) notes.push('no ClickHouse server reachable or installed: DuckDB only.');

const stores = [{ kind: 'DuckDB', url: (tag) => join(work, `${tag}.duckdb`) }];
if (ch) stores.push({ kind: `ClickHouse (${ch.how})`, url: (tag) => `${ch.url.replace(/^http:/, 'clickhouse:')}/sipv_bench_${tag}_${process.pid}` });

try {
  let probe;
  for (const s of stores) {
    log(`${s.kind}: index ${pcap}`);
    for (const [tag, extra] of [['bare', ['--no-findings']], ['full', []]]) {
      const r = timed(`index ${tag}`, ['index', pcap, '--store', s.url(tag), ...extra], 1);
      calls = Number(/: (\d+) new conversations/.exec(r.stdout)?.[1] ?? 0);
      rows.push({ store: s.kind, what: `index ${tag === 'bare' ? '--no-findings' : 'with findings'}`, ...r, rate: `${(mib / r.wall).toFixed(1)} MB/s, ${(calls / r.wall).toFixed(0)} calls/s` });
    }
    const url = s.url('full');
    // The call to look up and the number to filter on.
    if (probe === undefined) {
      const lines = sipv(['calls', '--store', url, '--ndjson']).stdout.split('\n').filter(Boolean);
      // From the middle on, the first INVITE to a full number: a few calls share it.
      probe = lines.slice(Math.floor(lines.length / 2)).map((l) => JSON.parse(l)).find((c) => c.firstMethod === 'INVITE' && c.to.length >= 7);
    }
    const where = `dstnum ${probe.to}`;
    const listed = timed('calls --store', ['calls', '--store', url, '--where', where, '--json'], runs);
    probe.matches = JSON.parse(listed.stdout).length;
    rows.push({ store: s.kind, what: `calls --where "${where}" --json (${probe.matches} calls)`, ...listed });
    rows.push({ store: s.kind, what: `show --call ${probe.callId} --json`, ...timed('show --store', ['show', '--store', url, '--call', probe.callId, '--json'], runs) });
    rows.push({ store: s.kind, what: `diagnose --where "${where}" --json (stored findings)`, ...timed('diagnose --store', ['diagnose', '--store', url, '--where', where, '--json'], runs) });
  }
  log(`capture: calls and show over ${pcap}`);
  const where = `dstnum ${probe.to}`;
  const f = timed('calls FILE', ['calls', pcap, '--where', where, '--json'], fileRuns);
  if (JSON.parse(f.stdout).length !== probe.matches) notes.push(`calls FILE found ${JSON.parse(f.stdout).length} calls, the store ${probe.matches}: they differ!`);
  rows.push({ store: 'capture file', what: `calls FILE --where "${where}" --json`, ...f, rate: `${(mib / f.wall).toFixed(1)} MB/s` });
  rows.push({ store: 'capture file', what: `show FILE --call ${probe.callId} --json`, ...timed('show FILE', ['show', pcap, '--call', probe.callId, '--json'], fileRuns) });
} finally {
  ch?.stop();
  rmSync(work, { recursive: true, force: true });
}

const c = cpus();
const machine = [
  `machine: ${c.length} × ${c[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}, load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
  `node ${process.version}; capture ${pcap} (${mib.toFixed(0)} MiB, ${calls} calls, gen-sip-pcap seed 1); queries: median of ${runs} runs (capture: ${fileRuns})`,
];
const head = ['store', 'operation', 'wall s', 'cpu s', 'max RSS MB', 'rate'];
const body = rows.map((r) => [r.store, r.what, r.wall.toFixed(3), Number.isNaN(r.cpu) ? '?' : r.cpu.toFixed(2), Number.isNaN(r.rss) ? '?' : r.rss.toFixed(0), r.rate ?? '']);
const table = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((b) => `| ${b.join(' | ')} |`)].join('\n');
process.stdout.write(`${machine.join('\n')}\n\n${table}\n${notes.map((n) => `note: ${n}\n`).join('')}`);
writeFileSync(outFile, `# Store benchmark (issue 13)

Written by \`npm run bench:store\` (bench/store.mjs). Every row is one \`sipv\` process, start-up
included; wall and CPU (user+sys) from GNU time. The store rows answer from the index; the capture
rows read the whole capture again, as without a store. ClickHouse rows count the sipv client only:
the server's CPU and memory are not in them.

${machine.map((m) => `- ${m}`).join('\n')}

${table}
${notes.length ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`);
log(`wrote ${outFile}`);
