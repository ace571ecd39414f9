/**
 * The network side of a HEP collector, and nothing else: UDP sockets
 * (`node:dgram`, one packet per datagram) and TCP servers (`node:net`, HEP3
 * packets back to back, framed by `HepFramer`) on IPv4 or IPv6 addresses,
 * handing each packet's bytes to `onPacket`. What a packet means is decided
 * elsewhere (`ingest/hep-collect`).
 *
 * Hostile input cannot grow memory or end the process: a TCP connection
 * buffers at most one partial packet (< 64 KiB), the number of connections is
 * capped (extra ones are closed at once and counted), idle connections are
 * closed, the kernel's UDP receive buffer is the only UDP queue, and socket
 * errors are counted, never thrown.
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
}

export interface ListenerStats {
  udpDatagrams: number;
  tcpConnections: number;
  /** Connections refused because `maxConnections` were open. */
  tcpRejected: number;
  socketErrors: number;
}

export class HepListener {
  readonly stats: ListenerStats = { udpDatagrams: 0, tcpConnections: 0, tcpRejected: 0, socketErrors: 0 };
  private readonly udpSockets: dgram.Socket[] = [];
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<net.Socket>();
  private closed = false;

  constructor(private readonly options: HepListenerOptions) {}

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
          this.options.onPacket(msg, { transport: 'udp', address: rinfo.address, port: rinfo.port });
        });
        this.udpSockets.push(socket);
        const at = socket.address();
        resolve({ transport: 'udp', host: at.address, port: at.port });
      });
    });
  }

  private listenTcp(a: ListenAddress): Promise<BoundAddress> {
    const server = net.createServer((c) => this.accept(c));
    server.maxConnections = this.options.maxConnections ?? 256;
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
    this.stats.tcpConnections++;
    this.connections.add(c);
    const framer = new HepFramer();
    const from: PacketOrigin = { transport: 'tcp', address: c.remoteAddress ?? '', port: c.remotePort ?? 0 };
    let junkRuns = 0;
    let junkBytes = 0;
    const reportJunk = (): void => {
      const runs = framer.stats.junkRuns - junkRuns;
      if (runs > 0) this.options.onJunk?.(runs, framer.stats.junkBytes - junkBytes);
      junkRuns = framer.stats.junkRuns;
      junkBytes = framer.stats.junkBytes;
    };
    c.setTimeout(this.options.idleMs ?? 600_000, () => c.destroy());
    c.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      framer.push(chunk, (packet) => this.options.onPacket(packet, from));
      reportJunk();
    });
    c.on('error', () => { this.stats.socketErrors++; });
    c.on('close', () => {
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
