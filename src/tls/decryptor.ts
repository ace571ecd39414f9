/**
 * SIP over TLS for the extractor: pairs the two directions of each TCP connection
 * (by the canonical flow key) into one `TlsSession`, hands each direction's
 * decrypted bytes to its sink with the segment that delivered them, and turns
 * each session's summary into issues — one line per problem kind across the
 * input (how many connections, and why), then one per connection (which key log
 * label is missing for which client random, which suite, how many records).
 * A TLS stream is never a silent gap.
 *
 * A new connection on the same ports (the client's first bytes after a gap are a
 * ClientHello again) starts a new session. Connections are bounded by
 * `maxConnections`; the least recently active is summarised and dropped.
 */
import { issue, type Issue } from '../core/issue.js';
import { IssueLog } from '../net/issue-log.js';
import { endpoint, flowKey, type TransportPayload } from '../net/packet.js';
import { versionName } from './handshake.js';
import type { KeyLog } from './keylog.js';
import { TlsSession, type PlainSink, type Side, type TlsSummary } from './session.js';
import { suiteName } from './suites.js';

export interface TlsDecryptorOptions {
  maxConnections: number;
  maxIssues: number;
}
const DEFAULTS: TlsDecryptorOptions = { maxConnections: 10000, maxIssues: 1000 };

export interface TlsStats {
  connections: number;
  /** Connections with at least one decrypted application data record. */
  decrypted: number;
  /** Connections with protected records that no key opened. */
  undecrypted: number;
  records: number;
  recordsDecrypted: number;
  recordsFailed: number;
  recordsNoKey: number;
  plaintextBytes: number;
}

/** One direction of a connection as the extractor sees it. */
export interface TlsStream {
  push(data: Buffer, seg: TransportPayload, gap: boolean): void;
}

interface Connection {
  session: TlsSession<TransportPayload>;
  sinks: [PlainSink<TransportPayload>, PlainSink<TransportPayload>];
  names: [string, string];
  sides: number;
}

type Kind = 'no-key' | 'decrypt-failed' | 'unsupported-suite' | 'no-handshake' | 'early-data';

export class TlsDecryptor {
  readonly stats: TlsStats = { connections: 0, decrypted: 0, undecrypted: 0, records: 0, recordsDecrypted: 0, recordsFailed: 0, recordsNoKey: 0, plaintextBytes: 0 };
  private readonly opts: TlsDecryptorOptions;
  private readonly log: IssueLog;
  private readonly conns = new Map<string, Connection>();
  private readonly kinds = new Map<Kind, { connections: number; records: number; labels: Set<string> }>();

  constructor(private readonly keys: KeyLog, opts: Partial<TlsDecryptorOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
    this.log = new IssueLog(this.opts.maxIssues);
  }

  /** One summary line per problem kind, then the key log's own issues, then one line per connection. */
  get issues(): Issue[] {
    return [...this.summaryIssues(), ...this.keys.issues, ...this.log.list];
  }

  /** A direction whose first bytes are a TLS record; `sink` gets its plaintext. */
  open(seg: TransportPayload, sink: PlainSink<TransportPayload>): TlsStream {
    const key = flowKey(seg);
    let c = this.conns.get(key);
    if (c === undefined || c.sides >= 2) {
      if (c !== undefined) this.finish(c);
      c = this.create(seg, [noSink, noSink]);
      this.conns.set(key, c);
    }
    const side = c.sides++ as Side;
    c.sinks[side] = sink;
    c.names[side] = `${endpoint(seg.srcIp, seg.srcPort)} → ${endpoint(seg.dstIp, seg.dstPort)}`;
    const conn = c;
    this.evict();
    return {
      push: (data, at, gap) => {
        // The client's first bytes after lost ones are a ClientHello: the ports were reused by a new connection.
        if (gap && conn.session.started && startsWithClientHello(data)) {
          this.finish(conn);
          conn.session = new TlsSession(this.keys, conn.sinks, at);
          this.stats.connections++;
          gap = false;
        }
        this.touch(key, conn);
        conn.session.push(side, data, at, gap);
      },
    };
  }

  /** The input ended: every session is summarised. */
  end(): void {
    for (const c of this.conns.values()) this.finish(c);
    this.conns.clear();
  }

  private create(seg: TransportPayload, sinks: Connection['sinks']): Connection {
    this.stats.connections++;
    const c: Connection = { session: undefined as never, sinks, names: ['', ''], sides: 0 };
    // The sinks are looked up at delivery: the second direction registers after the session exists.
    c.session = new TlsSession(this.keys, [(d, s, g) => c.sinks[0](d, s, g), (d, s, g) => c.sinks[1](d, s, g)], seg);
    return c;
  }

  private touch(key: string, c: Connection): void {
    if (this.conns.get(key) !== c) return;
    this.conns.delete(key);
    this.conns.set(key, c);
  }

  private evict(): void {
    while (this.conns.size > this.opts.maxConnections) {
      const [key, c] = this.conns.entries().next().value as [string, Connection];
      this.conns.delete(key);
      this.finish(c);
    }
  }

  private finish(c: Connection): void {
    c.session.end();
    const s = c.session.summary();
    const st = this.stats;
    st.records += s.records;
    st.recordsDecrypted += s.decrypted;
    st.recordsFailed += s.failed;
    st.recordsNoKey += s.noKey;
    st.plaintextBytes += s.plaintextBytes;
    if (s.plaintextBytes > 0) st.decrypted++;
    if (s.noKey > 0 || s.failed > 0) st.undecrypted++;
    const name = c.names[s.clientSide ?? 0] || c.names[0];
    const at = `frame ${s.firstSeg.frame}: ${name}`;
    for (const i of s.issues) this.log.add({ ...i, detail: `${at}: ${i.detail}` });
    const what = describe(s);
    if (!s.sawClientHello || !s.sawServerHello) {
      if (s.records > 0) {
        this.note('no-handshake', s.records);
        this.log.add(issue('tls.no-handshake', `${at}: the ${!s.sawClientHello ? 'ClientHello' : 'ServerHello'} was not captured, so no key can be found; ${s.records} protected records not decrypted`));
      }
      return;
    }
    if (!s.supported) {
      this.note('unsupported-suite', s.records);
      this.log.add(issue('tls.unsupported-suite', `${at}: ${what}: this cipher suite cannot be decrypted; ${s.records} protected records not decrypted`));
      return;
    }
    if (s.noKey > 0) {
      this.note('no-key', s.noKey, s.missing);
      const labels = s.missing.length > 0 ? s.missing.join(', ') : 'a key';
      this.log.add(issue('tls.no-key', `${at}: ${what}: the key log has no ${labels} for client random ${s.clientRandom?.toString('hex')}; ${s.noKey} protected records not decrypted`));
    }
    if (s.failed > 0) {
      this.note('decrypt-failed', s.failed);
      const f = s.firstFailure!;
      this.log.add(issue('tls.decrypt-failed', `${at}: ${what}: ${s.failed} records did not authenticate (the first in frame ${f.seg.frame}, ${f.side === s.clientSide ? 'client' : 'server'} record ${f.seq}): a wrong key in the log, or damaged bytes`));
    }
    if (s.earlyData > 0) {
      this.note('early-data', s.earlyData);
      this.log.add(issue('tls.early-data', `${at}: ${what}: ${s.earlyData} 0-RTT early data records skipped (early traffic secrets are not used)`));
    }
  }

  private note(kind: Kind, records: number, labels: string[] = []): void {
    let k = this.kinds.get(kind);
    if (k === undefined) this.kinds.set(kind, (k = { connections: 0, records: 0, labels: new Set() }));
    k.connections++;
    k.records += records;
    for (const l of labels) k.labels.add(l);
  }

  private summaryIssues(): Issue[] {
    const out: Issue[] = [];
    const of = `of ${this.stats.connections} TLS connection${this.stats.connections === 1 ? '' : 's'}`;
    const n = (k: { connections: number }) => `${k.connections} ${of}`;
    const noKey = this.kinds.get('no-key');
    if (noKey !== undefined) {
      const why = this.keys.size === 0
        ? 'no TLS key log was given (SSLKEYLOGFILE format)'
        : `the key log lacks ${[...noKey.labels].join(', ') || 'their secrets'}`;
      out.push(issue('tls.no-key', `${n(noKey)} could not be decrypted (${noKey.records} records): ${why}`));
    }
    const failed = this.kinds.get('decrypt-failed');
    if (failed !== undefined) out.push(issue('tls.decrypt-failed', `${n(failed)} had ${failed.records} records that failed authentication`));
    const unsupported = this.kinds.get('unsupported-suite');
    if (unsupported !== undefined) out.push(issue('tls.unsupported-suite', `${n(unsupported)} use a cipher suite we cannot decrypt (${unsupported.records} records)`));
    const noHs = this.kinds.get('no-handshake');
    if (noHs !== undefined) out.push(issue('tls.no-handshake', `${n(noHs)} began before the capture did: without the hellos no key can be found (${noHs.records} records)`));
    return out;
  }
}

function describe(s: TlsSummary<TransportPayload>): string {
  const v = s.version === undefined ? 'TLS' : versionName(s.version);
  return s.suite === undefined ? v : `${v} ${suiteName(s.suite)}`;
}

/** RFC 8446 §5.1 / §4: a handshake record whose first message is a ClientHello. */
function startsWithClientHello(b: Buffer): boolean {
  return b.length >= 6 && b[0] === 22 && b[1] === 3 && b[5] === 1;
}

function noSink(): void {}
