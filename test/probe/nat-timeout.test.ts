/**
 * `--nat-timeout` against the in-process relay whose bindings die after
 * 1.5 s of silence: the bisection finds it within its resolution; with no
 * NAT in the way every trial survives and the result says "longer than the
 * maximum wait".
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { Mirror } from '../../src/probe/mirror.js';
import { measureNatTimeout } from '../../src/probe/nat-timeout.js';
import { renderNatTimeout } from '../../src/report/probe-text.js';
import { Relay } from './relay.js';

const TOKEN = 'nat-token';
let mirror: Mirror;
before(async () => {
  mirror = new Mirror({ listen: ['127.0.0.1:0'], token: TOKEN });
  await mirror.start();
});
after(async () => { await mirror.close(); });

test('binding timeout 1.5 s behind the relay: found within ±0.3 s, keepalive half of it', async () => {
  const relay = new Relay({ target: { host: '127.0.0.1', port: mirror.bound[0]!.port }, timeoutMs: 1500 });
  await relay.start();
  try {
    const r = await measureNatTimeout({ host: '127.0.0.1', port: relay.port, token: TOKEN, maxWaitMs: 4000 });
    assert.ok(r.timeoutS !== null && Math.abs(r.timeoutS - 1.5) <= 0.3, JSON.stringify(r));
    assert.ok(r.survivedMs <= 1550 && r.expiredMs! >= 1450 && r.expiredMs! - r.survivedMs <= 250, JSON.stringify(r));
    assert.equal(r.keepaliveS, 1);
    assert.deepEqual(r.trials.slice(0, 2), [{ delayMs: 1000, alive: true }, { delayMs: 2000, alive: false }]);
    assert.match(renderNatTimeout(r), /^NAT binding timeout: ≈ 1\.\d+ s/);
  } finally {
    await relay.close();
  }
});

test('no NAT: every trial survives up to the maximum wait', async () => {
  const r = await measureNatTimeout({ host: '127.0.0.1', port: mirror.bound[0]!.port, token: TOKEN, maxWaitMs: 1500 });
  assert.equal(r.expiredMs, null);
  assert.equal(r.timeoutS, null);
  assert.deepEqual(r.trials, [{ delayMs: 1000, alive: true }, { delayMs: 1500, alive: true }]);
  assert.match(renderNatTimeout(r), /longer than 1\.50 s/);
});

test('wrong token: the measurement stops with an error instead of reporting a timeout', async () => {
  await assert.rejects(measureNatTimeout({ host: '127.0.0.1', port: mirror.bound[0]!.port, token: 'nope', maxWaitMs: 2000 }), /did not answer/);
});
