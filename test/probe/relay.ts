/**
 * A NAT in one process, for probe tests without root: a UDP relay on
 * 127.0.0.1 that gives each client its own outbound socket (its "public"
 * port), forgets a binding after `timeoutMs` of silence, and, when asked,
 * behaves like a SIP ALG — rewrites the client's address:port in SIP text to
 * the public one on the way out and back on the way in (as nf_nat_sip does),
 * drops requests of a method, or answers a method itself.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface RelayOptions {
  target: { host: string; port: number };
  timeoutMs?: number;
  alg?: boolean;
  drop?: string;
  answer?: { method: string; status: string };
}

interface Binding { out: Socket; publicPort: number; last: number }

export class Relay {
  private front!: Socket;
  private readonly bindings = new Map<string, Binding>();
  port = 0;
  constructor(private readonly o: RelayOptions) {}

  async start(): Promise<void> {
    this.front = createSocket('udp4');
    await new Promise<void>((r) => this.front.bind(0, '127.0.0.1', () => r()));
    this.port = this.front.address().port;
    this.front.on('message', (buf, r) => { void this.fromClient(buf, r.port); });
  }

  async close(): Promise<void> {
    for (const b of this.bindings.values()) b.out.close();
    await new Promise<void>((r) => this.front.close(() => r()));
  }

  private expired(b: Binding): boolean {
    return this.o.timeoutMs !== undefined && Date.now() - b.last > this.o.timeoutMs;
  }

  private async fromClient(buf: Buffer, clientPort: number): Promise<void> {
    const key = String(clientPort);
    let b = this.bindings.get(key);
    if (b && this.expired(b)) { b.out.close(); this.bindings.delete(key); b = undefined; }
    if (!b) {
      const out = createSocket('udp4');
      await new Promise<void>((r) => out.bind(0, '127.0.0.1', () => r()));
      const nb: Binding = { out, publicPort: out.address().port, last: Date.now() };
      out.on('message', (reply) => {
        if (this.bindings.get(key) !== nb || this.expired(nb)) return; // no binding: the packet dies here
        nb.last = Date.now();
        const text = this.o.alg ? rewrite(reply, `127.0.0.1:${nb.publicPort}`, `127.0.0.1:${clientPort}`) : reply;
        this.front.send(text, clientPort, '127.0.0.1');
      });
      this.bindings.set(key, nb);
      b = nb;
    }
    b.last = Date.now();
    const method = /^([A-Z]+) /.exec(buf.toString('latin1', 0, 16))?.[1];
    if (method !== undefined && method === this.o.drop) return;
    if (method !== undefined && method === this.o.answer?.method) {
      this.front.send(answer(buf, this.o.answer.status), clientPort, '127.0.0.1');
      return;
    }
    const text = this.o.alg ? rewrite(buf, `127.0.0.1:${clientPort}`, `127.0.0.1:${b.publicPort}`) : buf;
    b.out.send(text, this.o.target.port, this.o.target.host);
  }
}

/** Replace an address in the SIP head and body; fix Content-Length as an ALG must. */
function rewrite(buf: Buffer, from: string, to: string): Buffer {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return buf;
  const head = text.slice(0, end).split(from).join(to);
  const body = text.slice(end + 4);
  return Buffer.from(`${head.replace(/^Content-Length: \d+$/m, `Content-Length: ${Buffer.byteLength(body, 'latin1')}`)}\r\n\r\n${body}`, 'latin1');
}

/** The device answering for the server: a response built from the request's headers. */
function answer(req: Buffer, status: string): Buffer {
  const lines = req.toString('latin1').split('\r\n');
  const keep = lines.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  return Buffer.from([`SIP/2.0 ${status}`, ...keep, 'Content-Length: 0', '', ''].join('\r\n'), 'latin1');
}
