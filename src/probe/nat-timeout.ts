/**
 * `sipv probe alg --nat-timeout`: how long the router keeps an idle UDP
 * binding. Each trial opens a fresh socket (a fresh binding), sends one probe
 * OPTIONS asking the mirror for a late reply after D ms, takes the immediate
 * echo (which also makes the binding "replied"), then stays silent: the late
 * reply arrives only if the binding outlived D. Trials of one round run in
 * parallel on separate sockets and are read in delay order, so a round costs
 * about its longest useful delay: first delays growing ×2 up to the user's
 * maximum, then bisection rounds of evenly spaced delays between the longest
 * idle survived and the shortest that killed the binding, until they are
 * `resolutionMs` apart.
 *
 * Linux refreshes a UDP entry to `nf_conntrack_udp_timeout` while replies come
 * within 2 s of its creation, so this measures that value; with the kernel SIP
 * helper attached the entry is refreshed to 3600 s on every SIP packet, which
 * is why the trials should go to a mirror port the helper does not watch.
 */
import { getHeader } from '../sip/headers.js';
import { parseSipMessage } from '../sip/parse.js';
import { openUdp, type Target } from './channel.js';
import { LATE_HEADER, readEcho } from './echo.js';
import { delayRequest } from './requests.js';

export interface NatTimeoutOptions extends Target {
  token: string;
  maxWaitMs: number;
  resolutionMs?: number;
  /** Delays tried at once in a bisection round. */
  points?: number;
  log?: (line: string) => void;
}

export interface Trial { delayMs: number; alive: boolean }

export interface NatTimeoutResult {
  /** Longest idle time a binding survived, and shortest that it did not (null: survived maxWait). */
  survivedMs: number;
  expiredMs: number | null;
  /** Best estimate of the binding timeout in seconds (midpoint), null when longer than the maximum wait. */
  timeoutS: number | null;
  /** Keepalive interval to configure: half the idle time known to be safe, at least 1 s. */
  keepaliveS: number;
  maxWaitMs: number;
  trials: Trial[];
}

type Outcome = 'alive' | 'dead' | 'no-answer';

interface Running { delayMs: number; result: Promise<Outcome>; cancel: () => void }

let cseq = 1000;

async function trial(o: NatTimeoutOptions, delayMs: number): Promise<Running> {
  const ch = await openUdp(o);
  const server = o.port === 5060 ? o.host : `${o.host}:${o.port}`;
  const bytes = delayRequest({ localIp: ch.localIp, localPort: ch.localPort, server, transport: 'udp', token: o.token }, cseq++, delayMs);
  const timers: NodeJS.Timeout[] = [];
  let settle!: (x: Outcome) => void;
  const result = new Promise<Outcome>((res) => { settle = res; });
  let echoed = false;
  const end = (x: Outcome) => { for (const t of timers) clearTimeout(t); ch.close(); settle(x); };
  ch.onMessage((r) => {
    const msg = parseSipMessage(r.raw);
    if (msg === null || msg.kind !== 'response') return;
    if (getHeader(msg, LATE_HEADER) !== undefined) { end('alive'); return; }
    if (echoed || readEcho(msg) === undefined) return;
    echoed = true;
    for (const t of timers.splice(0)) clearTimeout(t);
    // Silence from here on; the late reply is due delayMs after the echo left the mirror.
    const rtt = r.at - sentAt;
    timers.push(setTimeout(() => end('dead'), delayMs + 500 + 4 * rtt));
  });
  const sentAt = Date.now();
  ch.send(bytes);
  // Lost request or echo: two retransmissions, then give up on this trial.
  timers.push(setTimeout(() => { if (!echoed) ch.send(bytes); }, 500));
  timers.push(setTimeout(() => { if (!echoed) ch.send(bytes); }, 1500));
  timers.push(setTimeout(() => { if (!echoed) end('no-answer'); }, 3500));
  return { delayMs, result, cancel: () => end('dead') };
}

/** Run trials at once; read them in delay order up to the first that expired. */
async function round(o: NatTimeoutOptions, delays: number[], trials: Trial[]): Promise<{ survived?: number; expired?: number }> {
  const running = await Promise.all(delays.map((d) => trial(o, d)));
  let survived: number | undefined, expired: number | undefined;
  for (const r of running) {
    if (expired !== undefined) { r.cancel(); continue; }
    const x = await r.result;
    if (x === 'no-answer') {
      for (const y of running) y.cancel();
      throw new Error(`the mirror at ${o.host}:${o.port} did not answer a NAT-timeout trial (UDP)`);
    }
    trials.push({ delayMs: r.delayMs, alive: x === 'alive' });
    o.log?.(`idle ${(r.delayMs / 1000).toFixed(2)} s: binding ${x === 'alive' ? 'kept' : 'expired'}`);
    if (x === 'alive') survived = r.delayMs; else expired = r.delayMs;
  }
  return { survived, expired };
}

export async function measureNatTimeout(o: NatTimeoutOptions): Promise<NatTimeoutResult> {
  const resolution = o.resolutionMs ?? 250;
  const points = o.points ?? 15;
  const trials: Trial[] = [];
  const growing: number[] = [];
  for (let d = 1000; d < o.maxWaitMs; d *= 2) growing.push(d);
  growing.push(o.maxWaitMs);
  let lo = 0, hi: number | null = null;
  const first = await round(o, growing, trials);
  lo = first.survived ?? 0;
  hi = first.expired ?? null;
  while (hi !== null && hi - lo > Math.max(resolution, 0.02 * lo)) {
    const step = (hi - lo) / (points + 1);
    const delays = Array.from({ length: points }, (_, i) => Math.round(lo + step * (i + 1)));
    const r = await round(o, [...new Set(delays)].filter((d) => d > lo && d < hi!), trials);
    if (r.survived !== undefined) lo = r.survived;
    if (r.expired !== undefined) hi = r.expired;
    if (r.survived === undefined && r.expired === undefined) break;
  }
  const timeoutS = hi === null ? null : Math.round((lo + hi) / 2) / 1000;
  const keepaliveS = Math.max(1, Math.floor(lo / 2000));
  return { survivedMs: lo, expiredMs: hi, timeoutS, keepaliveS, maxWaitMs: o.maxWaitMs, trials };
}
