/**
 * The client's socket to the mirror, UDP or TCP, as one small interface: the
 * local address the kernel picked (behind NAT: the private one the phone would
 * advertise), send, and every SIP message received with where it came from.
 * TCP is framed with SipStreamFramer (RFC 3261 §18.3); the buffer is bounded.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { SipStreamFramer } from '../sip/framer.js';

export interface Received { raw: Buffer; fromIp: string; fromPort: number; at: number }

export interface Channel {
  localIp: string;
  localPort: number;
  send(bytes: Buffer): void;
  onMessage(cb: (m: Received) => void): void;
  close(): void;
}

export interface Target { host: string; port: number; bind?: { host: string; port: number } }

const MAX_REPLY = 65536;

export async function openUdp(t: Target): Promise<Channel> {
  const sock = createSocket({ type: t.host.includes(':') ? 'udp6' : 'udp4' });
  const listeners: ((m: Received) => void)[] = [];
  sock.on('message', (raw, r) => { for (const l of listeners) l({ raw, fromIp: r.address, fromPort: r.port, at: Date.now() }); });
  sock.on('error', () => {});
  await new Promise<void>((res, rej) => { sock.once('error', rej); sock.bind(t.bind?.port ?? 0, t.bind?.host, () => { sock.off('error', rej); res(); }); });
  // connect() makes the kernel choose the source address now, so it can go into Via/Contact/SDP.
  await new Promise<void>((res, rej) => { sock.once('error', rej); sock.connect(t.port, t.host, () => { sock.off('error', rej); res(); }); });
  const a = sock.address();
  let closed = false;
  return {
    localIp: a.address, localPort: a.port,
    send: (b) => { if (!closed) sock.send(b); },
    onMessage: (cb) => { listeners.push(cb); },
    close: () => { if (!closed) { closed = true; sock.close(); } },
  };
}

export async function openTcp(t: Target, timeoutMs: number): Promise<Channel> {
  const sock = connect({ host: t.host, port: t.port, ...(t.bind ? { localAddress: t.bind.host, localPort: t.bind.port } : {}) });
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => { sock.destroy(); rej(new Error(`no TCP connection to ${t.host}:${t.port} within ${timeoutMs} ms`)); }, timeoutMs);
    sock.once('error', (e) => { clearTimeout(timer); rej(e); });
    sock.once('connect', () => { clearTimeout(timer); res(); });
  });
  const listeners: ((m: Received) => void)[] = [];
  const framer = new SipStreamFramer({ maxMessageBytes: MAX_REPLY });
  sock.on('data', (chunk: Buffer) => {
    framer.push(chunk, (raw) => {
      if (raw.length === 0) return;
      for (const l of listeners) l({ raw, fromIp: sock.remoteAddress ?? t.host, fromPort: sock.remotePort ?? t.port, at: Date.now() });
    });
  });
  sock.on('error', () => {});
  return {
    localIp: sock.localAddress ?? '', localPort: sock.localPort ?? 0,
    send: (b) => { if (!sock.destroyed) sock.write(b); },
    onMessage: (cb) => { listeners.push(cb); },
    close: () => { sock.destroy(); },
  };
}
