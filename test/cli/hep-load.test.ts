/**
 * A bounded load test on loopback through the built binary: HEPv3 over TCP as
 * fast as we can write (the collector's sustained rate, reported), and over
 * UDP at a paced rate well below it, where nothing may be lost. Measured on a
 * 2-CPU box with the sender on the same machine: TCP ≈ 100 000 packets/s;
 * UDP lossless at 25 000/s, losses from ≈ 30 000/s (kernel buffer overflow).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { hep3 } from '../helpers/packet-builders.js';
import { request } from '../helpers/messages.js';
import { BIN, BIN_MISSING } from '../helpers/run-cli.js';

const packets = Array.from({ length: 500 }, (_, i) =>
  hep3({ sec: 1700000000 + i }, request('INVITE', { callId: `load-${i}@x`, cseq: i + 1 }).replace(/\n/g, '\r\n')));

async function collect(transport: 'udp' | 'tcp', count: number, send: (port: number) => Promise<void>): Promise<{ summary: string; ms: number; calls: number }> {
  const child = spawn(process.execPath, [BIN, 'hep', `--${transport}`, '127.0.0.1:0', '--count', String(count), '--duration', '60']);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const port = await new Promise<number>((resolve) => child.stderr.on('data', (d) => { err += d; const m = /:(\d+)\n/.exec(err); if (m) resolve(Number(m[1])); }));
  const t0 = performance.now();
  await send(port);
  // A datagram lost would leave --count unreached: stop after a grace period and let the summary say.
  const grace = setTimeout(() => child.kill('SIGINT'), 3000);
  assert.equal(await closed, 0, err);
  clearTimeout(grace);
  // With stdout not a terminal, calls go out as NDJSON lines and the summary goes to stderr.
  const summary = err.split('\n').find((l) => l.startsWith('HEP collector stopped')) ?? `(no summary) ${err}`;
  return { summary, ms: performance.now() - t0, calls: out.trim().split('\n').filter(Boolean).length };
}

test('TCP: 100 000 packets as fast as we can write, none lost; the rate is reported', { skip: BIN_MISSING, timeout: 60_000 }, async (t) => {
  const n = 100_000;
  const { summary, ms, calls } = await collect('tcp', n, async (port) => {
    const c = net.connect({ port, host: '127.0.0.1' });
    await new Promise((resolve) => c.once('connect', resolve));
    const block = Buffer.concat(packets.slice(0, 100));
    for (let i = 0; i < n; i += 100) if (!c.write(block)) await new Promise((resolve) => c.once('drain', resolve));
    c.end();
  });
  t.diagnostic(`TCP: ${n} packets in ${ms.toFixed(0)} ms = ${(n / ms * 1000).toFixed(0)} packets/s`);
  assert.match(summary, new RegExp(`^HEP collector stopped: ${n} packets, ${n} SIP messages, 100 new conversations; dropped: 0 malformed`));
  assert.equal(calls, 100, 'one NDJSON line per call');
});

test('UDP: 20 000 packets paced at 5 000/s, none lost', { skip: BIN_MISSING, timeout: 60_000 }, async (t) => {
  const n = 20_000;
  const rate = 5000;
  const { summary, ms, calls } = await collect('udp', n, async (port) => {
    const s = dgram.createSocket('udp4');
    const start = performance.now();
    for (let i = 0; i < n; i += 50) {
      for (let k = 0; k < 50; k++) s.send(packets[(i + k) % packets.length]!, port, '127.0.0.1');
      const wait = start + ((i + 50) / rate) * 1000 - performance.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    s.close();
  });
  t.diagnostic(`UDP: ${n} packets at ${rate}/s, collected in ${ms.toFixed(0)} ms`);
  assert.match(summary, new RegExp(`^HEP collector stopped: ${n} packets, ${n} SIP messages, 500 new conversations; dropped: 0 malformed`));
  assert.equal(calls, 500, 'one NDJSON line per call');
});
