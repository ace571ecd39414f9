/**
 * `sipv probe mirror` as a library: a small SIP server on UDP and TCP that
 * answers our probe requests with what it saw (echo.ts) and nothing else
 * (policy.ts). Replies go only to the address and port the request came from
 * (UDP: the datagram's source; TCP: the same connection), so it is no relay.
 *
 * TCP is framed with our SipStreamFramer (RFC 3261 §18.3, Content-Length);
 * a connection is closed when it buffers more than one maximal request, sends
 * something that is not a probe, or idles for `idleMs`. Connections are capped
 * in all and per peer address. Late replies (NAT-timeout trials) are timers,
 * bounded by the policy and cancelled on close.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { SipStreamFramer } from '../sip/framer.js';
import { MirrorPolicy, type PolicyOptions } from './policy.js';

export interface MirrorOptions extends PolicyOptions {
  /** Where to listen, each on UDP and TCP: `HOST:PORT` (IPv6 as `[::]:5060`). */
  listen: string[];
  idleMs?: number;
  maxConnections?: number;
  maxConnectionsPerPeer?: number;
  /** One line per event worth telling the operator (listening, answered, refused). */
  log?: (line: string) => void;
  now?: () => number;
}

export interface Endpoint { host: string; port: number }

export function parseEndpoint(text: string, defaultPort: number): Endpoint {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m || !(port >= 0 && port < 65536) || !Number.isInteger(port)) throw new Error(`'${text}' is not HOST[:PORT]`);
  return { host: m[1]!, port };
}

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) → `192.0.2.1`. */
export function plainIp(ip: string): string {
  return ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
}

export class Mirror {
  readonly policy: MirrorPolicy;
  private readonly udp: Socket[] = [];
  private readonly tcp: Server[] = [];
  private readonly conns = new Set<TcpSocket>();
  private readonly perPeer = new Map<string, number>();
  private readonly timers = new Set<{ t: NodeJS.Timeout; ip: string }>();
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  /** The endpoints actually bound (port 0 resolved), UDP and TCP share each. */
  readonly bound: Endpoint[] = [];

  constructor(private readonly o: MirrorOptions) {
    this.policy = new MirrorPolicy(o);
    this.log = o.log ?? (() => {});
    this.now = o.now ?? (() => Date.now());
  }

  async start(): Promise<void> {
    for (const text of this.o.listen) {
      const ep = parseEndpoint(text, 5060);
      const family = ep.host.includes(':') ? 'udp6' : 'udp4';
      const sock = createSocket({ type: family });
      await new Promise<void>((res, rej) => { sock.once('error', rej); sock.bind(ep.port, ep.host, () => { sock.off('error', rej); res(); }); });
      const port = sock.address().port;
      sock.on('message', (raw, rinfo) => this.onDatagram(sock, raw, plainIp(rinfo.address), rinfo.port));
      sock.on('error', (e) => this.log(`udp error: ${e.message}`));
      this.udp.push(sock);
      const server = createServer((c) => this.onConnection(c));
      server.maxConnections = this.o.maxConnections ?? 256;
      await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(port, ep.host, () => { server.off('error', rej); res(); }); });
      this.tcp.push(server);
      this.bound.push({ host: ep.host, port });
      this.log(`listening on ${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${port} (udp, tcp)`);
    }
  }

  async close(): Promise<void> {
    for (const x of this.timers) { clearTimeout(x.t); this.policy.lateDone(x.ip); }
    this.timers.clear();
    for (const c of this.conns) c.destroy();
    await Promise.all([
      ...this.udp.map((s) => new Promise<void>((res) => s.close(() => res()))),
      ...this.tcp.map((s) => new Promise<void>((res) => s.close(() => res()))),
    ]);
  }

  private onDatagram(sock: Socket, raw: Buffer, ip: string, port: number): void {
    const d = this.policy.decide(raw, { ip, port }, 'udp', this.now());
    if (d.kind === 'ignore') { this.log(`ignored ${raw.length} bytes from ${ip}:${port} (udp): ${d.reason}`); return; }
    sock.send(d.bytes, port, ip);
    this.log(`answered ${raw.length} bytes from ${ip}:${port} (udp) with ${d.bytes.length}${d.late ? `, late reply in ${d.late.afterMs} ms` : ''}`);
    if (d.late) {
      const late = d.late;
      const entry = { ip, t: setTimeout(() => { this.timers.delete(entry); this.policy.lateDone(ip); sock.send(late.bytes, port, ip); }, late.afterMs) };
      this.timers.add(entry);
    }
  }

  private onConnection(c: TcpSocket): void {
    const ip = plainIp(c.remoteAddress ?? ''), port = c.remotePort ?? 0;
    const n = this.perPeer.get(ip) ?? 0;
    if (n >= (this.o.maxConnectionsPerPeer ?? 8)) { this.log(`refused tcp connection from ${ip}:${port}: too many from that address`); c.destroy(); return; }
    this.perPeer.set(ip, n + 1);
    this.conns.add(c);
    c.setTimeout(this.o.idleMs ?? 30_000, () => c.destroy());
    // Room for one oversized request to be framed whole, so it can be refused with a 513.
    const framer = new SipStreamFramer({ maxMessageBytes: 2 * this.policy.maxRequest });
    const drop = (why: string) => { this.log(`closed tcp ${ip}:${port}: ${why}`); c.destroy(); };
    c.on('data', (chunk: Buffer) => {
      framer.push(chunk, (raw, issues) => {
        if (c.destroyed) return;
        // Cut, unframable or junk: not a probe of ours, and the stream cannot be trusted.
        if (issues.length > 0) { drop(issues[0]!.code); return; }
        if (raw.length === 0) return;
        if (raw.length > 2 * this.policy.maxRequest) { drop('oversized'); return; }
        const d = this.policy.decide(raw, { ip, port }, 'tcp', this.now());
        if (d.kind === 'ignore') { drop(d.reason); return; }
        c.write(d.bytes);
        this.log(`answered ${raw.length} bytes from ${ip}:${port} (tcp) with ${d.bytes.length}`);
      });
      // More buffered than one maximal request can need: not our probe.
      if (!c.destroyed && framer.buffered > 2 * this.policy.maxRequest) drop('oversized');
    });
    c.on('error', () => {});
    c.on('close', () => {
      this.conns.delete(c);
      const left = (this.perPeer.get(ip) ?? 1) - 1;
      if (left <= 0) this.perPeer.delete(ip); else this.perPeer.set(ip, left);
    });
  }
}
