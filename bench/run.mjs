#!/usr/bin/env node
/**
 * `npm run bench`: the issue-12 benchmark. Generates synthetic captures with
 * ../shared/tools/gen-sip-pcap (cached outside the repository), runs
 * `sipv calls FILE --json` on them as pcap, pcapng, gzip'd pcap and tcpdump
 * text, runs the peers that are installed (tshark `-q -z sip,stat`, sngrep)
 * and the plain-JS floor side by side, several runs each, and prints one
 * table of wall time, MB/s, max RSS and calls with the ratios the issue asks
 * for; the same table goes to bench/results.md with the machine's description.
 *
 * A benchmark, not a test: CI may run `--sizes 10M --runs 1` at most.
 *
 *   node bench/run.mjs [--sizes 100M,1G] [--runs 3] [--peer-runs 1]
 *                      [--formats pcap,pcapng,gz,text] [--text-size 100M]
 *                      [--cache /tmp/sipv-bench] [--no-peers] [--out bench/results.md]
 *
 * Max RSS comes from GNU time (`/usr/bin/time -f`); without it only wall time is shown.
 * Runs are sequential; the median run is reported (min and max in the markdown).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './args.mjs';
import { createGzip } from 'node:zlib';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = process.env.SIPV_SHARED ?? join(REPO, '..', 'shared');
const GEN = join(SHARED, 'tools', 'gen-sip-pcap');
const FLOOR = join(SHARED, 'tools', 'sip-floor.mjs');
const SIPV = join(REPO, 'dist', 'src', 'cli', 'main.js');

const args = parseArgs(process.argv.slice(2));
const sizes = (args.sizes ?? '100M,1G').split(',').filter(Boolean);
const runs = Number(args.runs ?? 3);
const peerRuns = Number(args['peer-runs'] ?? Math.min(runs, 2));
const formats = (args.formats ?? 'pcap,pcapng,gz,text').split(',');
const textSize = args['text-size'] ?? sizes[0];
const cache = resolve(args.cache ?? process.env.SIPV_BENCH_DIR ?? '/tmp/sipv-bench');
const outFile = resolve(args.out ?? join(REPO, 'bench', 'results.md'));
const peers = !args['no-peers'];
const GNU_TIME = ['/usr/bin/time', '/usr/local/bin/gtime'].find((p) => existsSync(p));


function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function log(s) {
  process.stderr.write(s + '\n');
}

// ---------------------------------------------------------------- inputs

async function ensureInputs(size) {
  mkdirSync(cache, { recursive: true });
  const base = join(cache, `sip-${size}-seed1`);
  const files = {};
  const pcap = `${base}.pcap`;
  if (!existsSync(pcap)) {
    log(`generating ${pcap}`);
    execFileSync(GEN, ['--target-bytes', size, '--seed', '1', '-q', '-o', pcap + '.part'], { stdio: 'inherit' });
    execFileSync('mv', [pcap + '.part', pcap]);
  }
  files.pcap = pcap;
  if (formats.includes('pcapng')) {
    const ng = `${base}.pcapng`;
    if (!existsSync(ng)) {
      if (have('editcap')) execFileSync('editcap', ['-F', 'pcapng', pcap, ng + '.part']);
      else if (have('tshark')) execFileSync('tshark', ['-r', pcap, '-F', 'pcapng', '-w', ng + '.part'], { stdio: 'ignore' });
      if (existsSync(ng + '.part')) execFileSync('mv', [ng + '.part', ng]);
    }
    if (existsSync(ng)) files.pcapng = ng;
  }
  if (formats.includes('gz')) {
    const gz = `${pcap}.gz`;
    if (!existsSync(gz)) {
      log(`compressing ${gz}`);
      await pipeline(createReadStream(pcap), createGzip({ level: 6 }), createWriteStream(gz + '.part'));
      execFileSync('mv', [gz + '.part', gz]);
    }
    files.gz = gz;
  }
  if (formats.includes('text') && size === textSize) {
    const txt = `${base}.txt`;
    if (!existsSync(txt)) {
      log(`generating ${txt}`);
      execFileSync(GEN, ['--target-bytes', size, '--seed', '1', '-q', '--text', '-o', txt + '.part'], { stdio: 'inherit' });
      execFileSync('mv', [txt + '.part', txt]);
    }
    files.text = txt;
  }
  return files;
}

// ---------------------------------------------------------------- running

/** Runs argv once; stdout to `stdoutFile` (or /dev/null). Returns wall s, cpu s, max RSS KB. */
function runOnce(argv, stdoutFile, viaPipe = false) {
  const out = stdoutFile ?? '/dev/null';
  const shq = (a) => `'${a.replace(/'/g, `'\\''`)}'`;
  const direct = argv.map(shq).join(' ');
  // Through a pipe (`| cat`), as `sipv calls … | jq` runs: GNU time then measures sh, sipv and cat.
  const quoted = viaPipe ? `sh -c ${shq(`${direct} | cat`)}` : direct;
  const started = process.hrtime.bigint();
  let r;
  if (GNU_TIME) {
    r = spawnSync('sh', ['-c', `${GNU_TIME} -f '@@TIME %e %U %S %M' ${quoted} > '${out}'`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } else {
    r = spawnSync('sh', ['-c', `${quoted} > '${out}'`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /@@TIME (\S+) (\S+) (\S+) (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0 && !(m && r.status === null)) {
    const err = (r.stderr ?? '').replace(/@@TIME.*\n?/, '').trim().split('\n').slice(-3).join(' | ');
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${err}`);
  }
  return { wall: m ? Number(m[1]) : wall, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, rssKb: m ? Number(m[4]) : NaN, stderr: r.stderr ?? '' };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

function bench(label, argv, n, countCalls, viaPipe = false) {
  const tmp = join(cache, 'out.tmp');
  const samples = [];
  let calls = null;
  for (let i = 0; i < n; i++) {
    const r = runOnce(argv, countCalls ? tmp : undefined, viaPipe);
    if (countCalls && i === 0) calls = countCalls(tmp, r);
    samples.push(r);
    log(`  ${label} run ${i + 1}/${n}: ${r.wall.toFixed(2)} s, ${Number.isNaN(r.rssKb) ? '?' : (r.rssKb / 1024).toFixed(0)} MB`);
  }
  if (countCalls) rmSync(tmp, { force: true });
  const walls = samples.map((s) => s.wall);
  return {
    wall: median(walls), min: Math.min(...walls), max: Math.max(...walls),
    cpu: median(samples.map((s) => s.cpu)),
    rssKb: Math.max(...samples.map((s) => s.rssKb)),
    calls,
  };
}

/** Calls in a `calls --json` output: one `"callId"` per call. */
function jsonCalls(file) {
  const text = readFileSync(file, 'latin1');
  let n = 0;
  for (let i = text.indexOf('"callId"'); i >= 0; i = text.indexOf('"callId"', i + 8)) n++;
  return n;
}

// ---------------------------------------------------------------- main

const rows = [];
const notes = [];
const machine = describeMachine();
log(machine.join('\n'));
if (!existsSync(SIPV)) throw new Error(`build first: ${SIPV} is missing (npm run build)`);

// Start-up: the issue asks for `sipv --version` < 150 ms and `sipv calls` on a tiny file < 300 ms.
const tiny = join(REPO, 'examples', 'basic-call.pcap');
const startRuns = Math.max(5, runs * 3);
rows.push({ tool: 'sipv --version', input: '-', bytes: 0, ...bench('--version', ['node', SIPV, '--version'], startRuns) });
rows.push({ tool: 'sipv calls', input: 'basic-call.pcap (7 msgs)', bytes: statSync(tiny).size, ...bench('tiny', ['node', SIPV, 'calls', tiny], startRuns) });

for (const size of sizes) {
  const files = await ensureInputs(size);
  const bytes = statSync(files.pcap).size;
  for (const fmt of ['pcap', 'pcapng', 'gz', 'text']) {
    const f = files[fmt];
    if (!f) continue;
    log(`sipv calls ${f}`);
    const r = bench(`sipv ${fmt} ${size}`, ['node', SIPV, 'calls', f, '--json'], runs, jsonCalls);
    rows.push({ tool: 'sipv calls --json', input: `${size} ${fmt}`, size, fmt, bytes: fmt === 'pcap' ? bytes : statSync(f).size, pcapBytes: fmt === 'text' ? undefined : bytes, ...r });
  }
  // A filter that keeps every call: what gathering the filter facts costs (`calls` without one skips them).
  log(`sipv calls ${files.pcap} --where "has Call-ID"`);
  rows.push({ tool: 'sipv calls --json --where "has Call-ID"', input: `${size} pcap`, size, fmt: 'pcap-filter', bytes,
    ...bench(`sipv filtered ${size}`, ['node', SIPV, 'calls', files.pcap, '--json', '--where', 'has Call-ID'], runs, jsonCalls) });
  // Into a pipe: memory must not grow with output the reader has not taken yet.
  log(`sipv calls ${files.pcap} --json | cat`);
  rows.push({ tool: 'sipv calls --json | cat', input: `${size} pcap`, size, fmt: 'pcap-pipe', bytes,
    ...bench(`sipv pipe ${size}`, ['node', SIPV, 'calls', files.pcap, '--json'], runs, jsonCalls, true) });
  if (existsSync(FLOOR)) {
    const r = bench(`floor ${size}`, ['node', FLOOR, files.pcap], runs, (file) => Number(/^(\d+) call-ids/.exec(readFileSync(file, 'utf8'))?.[1]));
    rows.push({ tool: 'floor (sip-floor.mjs)', input: `${size} pcap`, size, fmt: 'pcap', bytes, ...r });
  }
  if (peers && have('tshark')) {
    const r = bench(`tshark ${size}`, ['tshark', '-r', files.pcap, '-q', '-z', 'sip,stat'], peerRuns, (file) => {
      const m = /Number of SIP messages: (\d+)/.exec(readFileSync(file, 'utf8'));
      return m ? `(${m[1]} msgs)` : '(stats)';
    });
    rows.push({ tool: 'tshark -q -z sip,stat', input: `${size} pcap`, size, fmt: 'pcap', bytes, ...r });
  } else if (peers) notes.push('tshark is not installed: no tshark rows.');
  if (peers && have('sngrep')) {
    // sngrep -N: no interface, -q: quiet, -I: read the file; default limit, then no limit.
    const r = bench(`sngrep ${size}`, ['sngrep', '-N', '-q', '-I', files.pcap], peerRuns);
    rows.push({ tool: 'sngrep -N -q -I', input: `${size} pcap`, size, fmt: 'pcap', bytes, ...r });
  } else if (peers) notes.push('sngrep is not installed: no sngrep rows.');
}

// The shell on the largest pcap: load, first screen of `show conversations`, filter changes.
const shellSteps = [];
{
  const size = sizes[sizes.length - 1];
  const files = await ensureInputs(size);
  log(`shell timings on ${files.pcap}`);
  const r = spawnSync('node', [join(REPO, 'bench', 'shell-timing.mjs'), files.pcap], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`shell-timing exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  const t = JSON.parse(r.stdout);
  for (const step of t.steps) shellSteps.push({ size, calls: t.calls, ...step });
  log(`  ${t.calls} calls, RSS ${t.rssMb.toFixed(0)} MB`);
}

const table = renderTable(rows);
const ratios = renderRatios(rows) + '\n' + renderShellChecks(shellSteps);
process.stdout.write(`\n${table}\n\n${ratios}\n`);
if (notes.length) process.stdout.write(notes.map((n) => `note: ${n}`).join('\n') + '\n');
writeFileSync(outFile, renderMarkdown(machine, table, ratios, notes, rows));
log(`\nwrote ${outFile}`);

// ---------------------------------------------------------------- output

function mb(bytes) {
  return bytes / (1024 * 1024);
}

function renderTable(rs) {
  const head = ['tool', 'input', 'wall s (median)', 'cpu s', 'MB/s', 'max RSS MB', 'calls'];
  const body = rs.map((r) => [
    r.tool, r.input, r.wall.toFixed(3), Number.isNaN(r.cpu) ? '?' : r.cpu.toFixed(2),
    r.bytes > 1e6 ? (mb(r.pcapBytes ?? r.bytes) / r.wall).toFixed(0) : '-',
    Number.isNaN(r.rssKb) ? '?' : (r.rssKb / 1024).toFixed(0),
    r.calls === null || r.calls === undefined ? '-' : String(r.calls),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

function find(rs, tool, size, fmt) {
  return rs.find((r) => r.tool.startsWith(tool) && r.size === size && (fmt === undefined || r.fmt === fmt));
}

function renderRatios(rs) {
  const out = ['| check | target | measured | met |', '|---|---|---|---|'];
  const add = (check, target, value, ok) => out.push(`| ${check} | ${target} | ${value} | ${ok === null ? '-' : ok ? 'yes' : '**no**'} |`);
  const ver = rs.find((r) => r.tool === 'sipv --version');
  const tiny = rs.find((r) => r.tool === 'sipv calls');
  add('`sipv --version`', '< 150 ms', `${(ver.wall * 1000).toFixed(0)} ms`, ver.wall < 0.15);
  add('`sipv calls` tiny file', '< 300 ms', `${(tiny.wall * 1000).toFixed(0)} ms`, tiny.wall < 0.3);
  for (const size of sizes) {
    const ours = find(rs, 'sipv calls', size, 'pcap');
    if (!ours) continue;
    const floor = find(rs, 'floor', size);
    const tshark = find(rs, 'tshark', size);
    if (floor) add(`${size}: sipv / floor (wall)`, '≤ 3×', `${(ours.wall / floor.wall).toFixed(2)}× (cpu ${(ours.cpu / floor.cpu).toFixed(2)}×)`, ours.wall / floor.wall <= 3);
    if (tshark) add(`${size}: tshark / sipv (wall)`, '≥ 10×', `${(tshark.wall / ours.wall).toFixed(1)}×`, tshark.wall / ours.wall >= 10);
    if (floor && floor.calls) add(`${size}: calls`, `= floor's ${floor.calls}`, String(ours.calls), ours.calls === floor.calls);
    const big = size.toUpperCase() === '1G';
    add(`${size}: max RSS`, big ? '≤ 300 MB' : '-', `${(ours.rssKb / 1024).toFixed(0)} MB`, big ? ours.rssKb / 1024 <= 300 : null);
    const piped = find(rs, 'sipv calls', size, 'pcap-pipe');
    if (piped) add(`${size}: max RSS into a pipe`, big ? '≤ 300 MB' : '-', `${(piped.rssKb / 1024).toFixed(0)} MB`, big ? piped.rssKb / 1024 <= 300 : null);
    const filtered = find(rs, 'sipv calls', size, 'pcap-filter');
    if (filtered) {
      add(`${size}: with a filter (facts gathered) / without`, '-', `${(filtered.wall / ours.wall).toFixed(2)}×, ${filtered.calls} calls`, null);
      if (floor) add(`${size}: with a filter: sipv / floor (wall)`, '≤ 3×', `${(filtered.wall / floor.wall).toFixed(2)}×`, filtered.wall / floor.wall <= 3);
    }
    for (const fmt of ['pcapng', 'gz']) {
      const r = find(rs, 'sipv calls', size, fmt);
      if (r) add(`${size}: ${fmt} / pcap (wall)`, '≤ 1.5×', `${(r.wall / ours.wall).toFixed(2)}×`, r.wall / ours.wall <= 1.5);
    }
    const text = find(rs, 'sipv calls', size, 'text');
    if (text) add(`${size}: tcpdump text`, '≥ 100 MB/s', `${(mb(text.bytes) / text.wall).toFixed(0)} MB/s of text`, mb(text.bytes) / text.wall >= 100);
  }
  if (sizes.length >= 2) {
    const [a, b] = [find(rs, 'sipv calls', sizes[0], 'pcap'), find(rs, 'sipv calls', sizes[sizes.length - 1], 'pcap')];
    if (a && b) {
      const perA = a.wall / mb(a.bytes), perB = b.wall / mb(b.bytes);
      add(`linear: s/MB ${sizes[sizes.length - 1]} vs ${sizes[0]}, whole runs`, 'within 15 %', `${((perB / perA - 1) * 100).toFixed(0)} %`, Math.abs(perB / perA - 1) <= 0.15);
      // Start-up (the tiny-file run: node, modules, JIT) is paid once per run, not per MB.
      const fixed = rs.find((r) => r.tool === 'sipv calls').wall;
      const netA = (a.wall - fixed) / mb(a.bytes), netB = (b.wall - fixed) / mb(b.bytes);
      add(`linear: s/MB ${sizes[sizes.length - 1]} vs ${sizes[0]}, start-up (${(fixed * 1000).toFixed(0)} ms) taken off`, 'within 15 %', `${((netB / netA - 1) * 100).toFixed(0)} %`, Math.abs(netB / netA - 1) <= 0.15);
    }
  }
  return out.join('\n');
}

/** The shell rows of the checks table: first screen < 100 ms, filter changes < 300 ms. */
function renderShellChecks(steps) {
  const out = [];
  const ms = (x) => `${x.toFixed(0)} ms`;
  for (const st of steps) {
    const where = `${st.size}, ${st.calls} calls`;
    if (st.command.startsWith('load')) out.push(`| shell: \`load\` (${where}) | progress shown | ${ms(st.ms)} | - |`);
    else if (st.command.startsWith('show conversations')) {
      out.push(`| shell: \`${st.command}\` first screen (${where}) | < 100 ms | ${ms(st.firstOutputMs)} (all lines ${ms(st.ms)}) | ${st.firstOutputMs < 100 ? 'yes' : '**no**'} |`);
    } else out.push(`| shell: filter \`${st.command}\` (${where}) | < 300 ms | ${ms(st.ms)} | ${st.ms < 300 ? 'yes' : '**no**'} |`);
  }
  return out.join('\n');
}

function describeMachine() {
  const c = cpus();
  const ver = (cmd, a) => { try { return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim(); } catch { return 'not installed'; } };
  return [
    `machine: ${c.length} × ${c[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${platform()} ${release()}`,
    `node ${process.version}; tshark: ${ver('tshark', ['-v'])}; sngrep: ${have('sngrep') ? ver('sngrep', ['-V']) : 'not installed'}`,
    `load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the machine inflates wall times; cpu s is user+sys)`,
    `runs: ${runs} (peers ${peerRuns}), median wall reported; git ${ver('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'])}; ${new Date().toISOString()}`,
  ];
}

function renderMarkdown(machineLines, tableText, ratioText, noteLines, rs) {
  const spread = rs.filter((r) => r.min !== undefined).map((r) => `- ${r.tool}, ${r.input}: min ${r.min.toFixed(3)} s, max ${r.max.toFixed(3)} s`).join('\n');
  return `# Benchmark results (issue 12)

Produced by \`npm run bench\` (\`bench/run.mjs\`); inputs from \`gen-sip-pcap --target-bytes SIZE --seed 1\`,
pcapng by editcap, gzip level 6, text by \`gen-sip-pcap --text\`. MB/s is per MiB of the pcap
(pcapng and gzip rows too, so they compare with pcap; the text row: per MiB of text).

${machineLines.map((l) => `- ${l}`).join('\n')}

${tableText}

${ratioText}
${noteLines.length ? '\n' + noteLines.map((n) => `- ${n}`).join('\n') + '\n' : ''}
<details><summary>run spread</summary>

${spread}

</details>
`;
}
