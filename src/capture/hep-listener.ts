/**
 * The network side of a HEP collector, and nothing else: UDP sockets
 * (`node:dgram`, one packet per datagram) and TCP servers (`node:net`, HEP3
 * packets back to back, framed by `HepFramer`) on IPv4 or IPv6 addresses,
 * handing each packet's bytes to `onPacket`. What a packet means is decided
 * elsewhere (`ingest/hep-collect`).
 *
 * Hostile input cannot grow memory or end the process: a TCP connection
 * buffers at most one partial packet (< 64 KiB), the number of connections is
 * capped in all and per peer address (extra ones are closed at once and
 * counted), a connection that sends no whole packet soon after it opens or
 * falls silent is closed, packets above `maxPacketBytes` are refused (a TCP
 * peer sending one is disconnected), each peer address has a packet-rate
 * budget (a token bucket; the excess is dropped and counted, so one flooding
 * agent cannot starve the others), the kernel's UDP receive buffer is the only
 * UDP queue, and socket errors are counted, never thrown. Nothing is ever sent
 * back: a collector cannot be used to amplify.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { HepFramer } from './hep-framer.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface BoundAddress extends ListenAddress {
  transport: 'udp' | 'tcp';
}

export interface PacketOrigin {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

export interface HepListenerOptions {
  udp?: ListenAddress[];
  tcp?: ListenAddress[];
  onPacket: (packet: Buffer, from: PacketOrigin) => void;
  /** Runs of TCP bytes that were not a whole HEP packet (junk, or a packet cut by the connection's end). */
  onJunk?: (runs: number, bytes: number) => void;
  /** Open TCP connections at most; default 256. */
  maxConnections?: number;
  /** A TCP connection silent this long is closed; default 10 minutes (agents keep theirs open). */
  idleMs?: number;
  /** Kernel UDP receive buffer asked for, to ride out bursts; default 4 MiB (the kernel may grant less). */
  udpReceiveBuffer?: number;
  /** Open TCP connections per peer address at most; default 32. */
  maxConnectionsPerPeer?: number;
  /** A TCP connection that has not sent one whole packet this long after opening is closed; default 30 s. */
  firstPacketMs?: number;
  /** Largest HEP packet accepted; default 65535 (the most the 16-bit length can say). */
  maxPacketBytes?: number;
  /** Packets per second per peer address (bursts up to one second's worth); default 100,000. */
  peerPacketsPerSec?: number;
  /** Peer addresses whose rate is tracked; the least recently seen is forgotten beyond this. Default 65536. */
  maxPeers?: number;
}

export const DEFAULT_HEP_LISTENER = {
  maxConnections: 256, maxConnectionsPerPeer: 32, idleMs: 600_000, firstPacketMs: 30_000,
  maxPacketBytes: 65535, peerPacketsPerSec: 100_000, maxPeers: 65536,
} as const;

/** Tokens of one peer address: refilled at the rate, capped at one second's worth. */
interface Bucket {
  tokens: number;
  at: number;
}

export interface ListenerStats {
  udpDatagrams: number;
  tcpConnections: number;
  /** Connections refused because `maxConnections` (or `maxConnectionsPerPeer` from one address) were open. */
  tcpRejected: number;
  /** Connections closed because no whole packet came within `firstPacketMs`, or silent for `idleMs`. */
  tcpTimedOut: number;
  /** Packets refused for being larger than `maxPacketBytes`. */
  oversized: number;
  /** Packets dropped because their peer exceeded `peerPacketsPerSec`. */
  rateLimited: number;
  socketErrors: number;
}

export class HepListener {
  readonly stats: ListenerStats = { udpDatagrams: 0, tcpConnections: 0, tcpRejected: 0, tcpTimedOut: 0, oversized: 0, rateLimited: 0, socketErrors: 0 };
  private readonly limits: Required<Pick<HepListenerOptions, keyof typeof DEFAULT_HEP_LISTENER>>;
  /** Per peer address: its token bucket, in least-recently-seen order (Map order). */
  private readonly buckets = new Map<string, Bucket>();
  private readonly perPeer = new Map<string, number>();
  private readonly udpSockets: dgram.Socket[] = [];
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<net.Socket>();
  private closed = false;

  constructor(private readonly options: HepListenerOptions, private readonly clock: () => number = () => performance.now()) {
    const o = options;
    const d = DEFAULT_HEP_LISTENER;
    this.limits = {
      maxConnections: o.maxConnections ?? d.maxConnections, maxConnectionsPerPeer: o.maxConnectionsPerPeer ?? d.maxConnectionsPerPeer,
      idleMs: o.idleMs ?? d.idleMs, firstPacketMs: o.firstPacketMs ?? d.firstPacketMs, maxPacketBytes: o.maxPacketBytes ?? d.maxPacketBytes,
      peerPacketsPerSec: o.peerPacketsPerSec ?? d.peerPacketsPerSec, maxPeers: o.maxPeers ?? d.maxPeers,
    };
  }

  /** False when `packet` from `address` is refused (too large, or over the peer's rate); counted either way. */
  private admit(packet: Buffer, address: string): boolean {
    if (packet.length > this.limits.maxPacketBytes) {
      this.stats.oversized++;
      return false;
    }
    const now = this.clock();
    const rate = this.limits.peerPacketsPerSec;
    let b = this.buckets.get(address);
    if (b === undefined) {
      b = { tokens: rate, at: now };
      if (this.buckets.size >= this.limits.maxPeers) this.buckets.delete(this.buckets.keys().next().value as string);
    } else {
      this.buckets.delete(address);
      b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
    }
    this.buckets.set(address, b);
    if (b.tokens < 1) {
      this.stats.rateLimited++;
      return false;
    }
    b.tokens--;
    return true;
  }

  /** Binds every address; rejects with a one-line reason (and closes what did bind) when one fails. */
  async start(): Promise<BoundAddress[]> {
    const bound: BoundAddress[] = [];
    try {
      for (const a of this.options.udp ?? []) bound.push(await this.bindUdp(a));
      for (const a of this.options.tcp ?? []) bound.push(await this.listenTcp(a));
    } catch (e) {
      await this.close();
      throw e;
    }
    return bound;
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Stops listening, ends every connection (their partial packets count as junk), resolves when all is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waits: Promise<void>[] = [];
    for (const s of this.udpSockets) waits.push(new Promise((resolve) => s.close(() => resolve())));
    for (const server of this.servers) waits.push(new Promise((resolve) => server.close(() => resolve())));
    for (const c of this.connections) c.destroy();
    await Promise.all(waits);
  }

  private bindUdp(a: ListenAddress): Promise<BoundAddress> {
    const socket = dgram.createSocket({ type: net.isIPv6(a.host) ? 'udp6' : 'udp4', recvBufferSize: this.options.udpReceiveBuffer ?? 4 << 20 });
    return new Promise((resolve, reject) => {
      socket.once('error', (e) => reject(bindError('udp', a, e)));
      socket.bind(a.port, a.host, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => { this.stats.socketErrors++; });
        socket.on('message', (msg, rinfo) => {
          if (this.closed) return;
          this.stats.udpDatagrams++;
          if (this.admit(msg, rinfo.address)) this.options.onPacket(msg, { transport: 'udp', address: rinfo.address, port: rinfo.port });
        });
        this.udpSockets.push(socket);
        const at = socket.address();
        resolve({ transport: 'udp', host: at.address, port: at.port });
      });
    });
  }

  private listenTcp(a: ListenAddress): Promise<BoundAddress> {
    const server = net.createServer((c) => this.accept(c));
    server.maxConnections = this.limits.maxConnections;
    server.on('drop', () => { this.stats.tcpRejected++; });
    return new Promise((resolve, reject) => {
      server.once('error', (e) => reject(bindError('tcp', a, e)));
      server.listen({ host: a.host, port: a.port, ipv6Only: false }, () => {
        server.removeAllListeners('error');
        server.on('error', () => { this.stats.socketErrors++; });
        this.servers.push(server);
        const at = server.address() as net.AddressInfo;
        resolve({ transport: 'tcp', host: at.address, port: at.port });
      });
    });
  }

  private accept(c: net.Socket): void {
    if (this.closed) {
      c.destroy();
      return;
    }
    const from: PacketOrigin = { transport: 'tcp', address: c.remoteAddress ?? '', port: c.remotePort ?? 0 };
    const open = this.perPeer.get(from.address) ?? 0;
    if (open >= this.limits.maxConnectionsPerPeer) {
      this.stats.tcpRejected++;
      c.destroy();
      return;
    }
    this.perPeer.set(from.address, open + 1);
    this.stats.tcpConnections++;
    this.connections.add(c);
    const framer = new HepFramer();
    // Slow loris: a connection must deliver a whole packet soon, then may idle long.
    let sawPacket = false;
    const timeOut = (): void => {
      this.stats.tcpTimedOut++;
      c.destroy();
    };
    const first = setTimeout(timeOut, this.limits.firstPacketMs);
    let junkRuns = 0;
    let junkBytes = 0;
    const reportJunk = (): void => {
      const runs = framer.stats.junkRuns - junkRuns;
      if (runs > 0) this.options.onJunk?.(runs, framer.stats.junkBytes - junkBytes);
      junkRuns = framer.stats.junkRuns;
      junkBytes = framer.stats.junkBytes;
    };
    c.setTimeout(this.limits.idleMs, timeOut);
    c.on('data', (chunk: Buffer) => {
      if (this.closed || c.destroyed) return;
      framer.push(chunk, (packet) => {
        if (c.destroyed) return;
        if (!sawPacket) { sawPacket = true; clearTimeout(first); }
        // An oversized frame means a broken or hostile peer: refuse it and hang up.
        if (packet.length > this.limits.maxPacketBytes) { this.stats.oversized++; c.destroy(); return; }
        if (this.admit(packet, from.address)) this.options.onPacket(packet, from);
      });
      reportJunk();
    });
    c.on('error', () => { this.stats.socketErrors++; });
    c.on('close', () => {
      clearTimeout(first);
      const left = (this.perPeer.get(from.address) ?? 1) - 1;
      if (left > 0) this.perPeer.set(from.address, left);
      else this.perPeer.delete(from.address);
      this.connections.delete(c);
      framer.end();
      reportJunk();
    });
  }
}

function bindError(transport: string, a: ListenAddress, e: NodeJS.ErrnoException): Error {
  const where = `${transport} ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  const why = e.code === 'EADDRINUSE' ? 'address already in use'
    : e.code === 'EACCES' ? 'permission denied (ports below 1024 need root or cap_net_bind_service)'
    : e.code === 'EADDRNOTAVAIL' ? 'no such local address'
    : e.message;
  return new Error(`cannot listen on ${where}: ${why}`);
}
