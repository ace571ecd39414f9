/**
 * One TLS connection, both directions: the state machine that turns records into
 * the application data each side wrote. It learns the randoms, version and suite
 * from the hellos, looks the secrets up in the key log, and then:
 *
 * - TLS 1.3 (RFC 8446 §2, §7): protected records are those of outer type
 *   application_data. A direction starts under its handshake traffic secret and
 *   moves to `*_TRAFFIC_SECRET_0` after its Finished; a KeyUpdate moves it on to
 *   the next secret. CCS records are the middlebox-compatibility dummies (§D.4).
 *   Without the handshake secret, the first record that opens under the
 *   application secret tells us the handshake is over.
 * - TLS 1.2 and earlier (RFC 5246 §7.1): a direction is protected from its
 *   ChangeCipherSpec on, under the key block of the master secret. A
 *   renegotiation's hellos (inside protected records) take effect at the next CCS.
 *
 * Sequence numbers count records per direction and key (§5.3, RFC 5246 §6.1).
 * After lost bytes the next few sequence numbers are tried, since we cannot know
 * how many records went missing. Nothing here throws: records we cannot open are
 * counted, and `summary()` says why — which key was missing, which suite we do
 * not support, how many records failed to authenticate.
 * `S` is whatever the caller attaches to its bytes (the TCP segment that carried them).
 */
import type { Issue } from '../core/issue.js';
import { HandshakeFramer, HandshakeType, parseClientHello, parseServerHello, type HandshakeMessage, type ServerHello } from './handshake.js';
import type { KeyLog, KeyLogLabel } from './keylog.js';
import { ContentType, TlsRecordParser, type TlsRecord } from './records.js';
import { cipherSuite, type CipherSuite } from './suites.js';
import { keyBlock, openRecord12, type Tls12WriteState } from './tls12.js';
import { nextTrafficSecret, openRecord13, trafficKeys, type Tls13Keys } from './tls13.js';

export type Side = 0 | 1;
export type Role = 'client' | 'server';
/** Decrypted application data; `gap` when plaintext before it was lost or could not be decrypted. */
export type PlainSink<S> = (data: Buffer, seg: S, gap: boolean) => void;

export interface SessionOptions {
  /** Sequence numbers tried past the expected one after lost bytes. */
  maxSeqSkip: number;
  /** Protected records held per direction while the ServerHello is still to come. */
  maxQueued: number;
}
export const DEFAULT_SESSION: SessionOptions = { maxSeqSkip: 64, maxQueued: 256 };

export interface TlsSummary<S> {
  clientSide?: Side;
  sawClientHello: boolean;
  sawServerHello: boolean;
  helloRetry: boolean;
  version?: number;
  suite?: number;
  supported: boolean;
  clientRandom?: Buffer;
  /** Protected records seen, opened, refused by authentication, or without a key. */
  records: number;
  decrypted: number;
  failed: number;
  noKey: number;
  /** Client records that did not open under the handshake keys before any did: 0-RTT early data. */
  earlyData: number;
  plaintextBytes: number;
  /** Key log labels this connection needed and did not find. */
  missing: KeyLogLabel[];
  /** First protected record that failed authentication. */
  firstFailure?: { side: Side; seq: number; seg: S };
  /** The segment that carried the first bytes of the connection. */
  firstSeg: S;
  /** Record-layer and handshake problems (bad headers, truncation). */
  issues: Issue[];
}

interface Direction<S> {
  side: Side;
  role?: Role;
  records: TlsRecordParser;
  hs: HandshakeFramer;
  sink: PlainSink<S>;
  seq: number;
  /** TLS 1.2: a CCS was seen, records are protected. */
  protected: boolean;
  state12?: Tls12WriteState;
  epoch13: 'handshake' | 'application';
  keys13?: Tls13Keys;
  /** Set while reading a protected handshake message that changes keys after its record. */
  rekey?: 'finished' | 'key-update';
  /** Sequence numbers are uncertain (bytes were lost). */
  resync: boolean;
  /** No record of this direction has opened yet under the current epoch. */
  fresh: boolean;
  plainGap: boolean;
  queue: { r: TlsRecord; seg: S }[];
}

export class TlsSession<S> {
  private readonly dirs: [Direction<S>, Direction<S>];
  private readonly opts: SessionOptions;
  private readonly sum: TlsSummary<S>;
  private clientRandom?: Buffer;
  /** The negotiated parameters of the latest hellos (TLS 1.2 activates them at CCS). */
  private hello?: ServerHello;
  private suite?: CipherSuite;
  private readonly missing = new Set<KeyLogLabel>();

  constructor(private readonly keys: KeyLog, sinks: [PlainSink<S>, PlainSink<S>], firstSeg: S, opts: Partial<SessionOptions> = {}) {
    this.opts = { ...DEFAULT_SESSION, ...opts };
    const dir = (side: Side): Direction<S> => ({
      side, records: new TlsRecordParser(), hs: new HandshakeFramer(), sink: sinks[side], seq: 0, protected: false,
      epoch13: 'handshake', resync: false, fresh: true, plainGap: false, queue: [],
    });
    this.dirs = [dir(0), dir(1)];
    this.sum = {
      sawClientHello: false, sawServerHello: false, helloRetry: false, supported: true, records: 0, decrypted: 0, failed: 0,
      noKey: 0, earlyData: 0, plaintextBytes: 0, missing: [], firstSeg, issues: [],
    };
  }

  /** True once a ClientHello was seen: a second one in plaintext after lost bytes is a new connection. */
  get started(): boolean {
    return this.sum.sawClientHello;
  }

  push(side: Side, data: Buffer, seg: S, gap: boolean): void {
    const d = this.dirs[side];
    if (gap) {
      d.records.gap();
      d.hs.reset();
      d.resync = true;
      d.plainGap = true;
    }
    d.records.push(data, (r) => this.onRecord(d, r, seg));
  }

  /** The input ended: unfinished records and queued records are accounted for. */
  end(): void {
    for (const d of this.dirs) {
      d.records.end();
      for (const q of d.queue) this.noKey(d, q.r);
      d.queue = [];
    }
  }

  summary(): TlsSummary<S> {
    this.sum.missing = [...this.missing];
    this.sum.issues = [...this.dirs[0].records.issues, ...this.dirs[1].records.issues, ...this.dirs[0].hs.issues, ...this.dirs[1].hs.issues];
    return this.sum;
  }

  private onRecord(d: Direction<S>, r: TlsRecord, seg: S): void {
    if (r.afterGap) d.resync = true;
    const v = this.hello?.version;
    if (v === undefined || this.hello!.helloRetry) {
      // Before the ServerHello: hellos in the clear; protected records wait for the parameters.
      if (r.type === ContentType.HANDSHAKE) return this.handshake(d, r.fragment, seg);
      if (r.type === ContentType.APPLICATION_DATA) {
        this.sum.records++;
        d.queue.push({ r: { ...r, header: Buffer.from(r.header), fragment: Buffer.from(r.fragment) }, seg });
        if (d.queue.length > this.opts.maxQueued) this.noKey(d, d.queue.shift()!.r);
      }
      return;
    }
    if (v >= 0x0304) return this.record13(d, r, seg);
    return this.record12(d, r, seg);
  }

  // ---- TLS 1.3 ----

  private record13(d: Direction<S>, r: TlsRecord, seg: S, queued = false): void {
    if (r.type !== ContentType.APPLICATION_DATA) {
      if (r.type === ContentType.HANDSHAKE) this.handshake(d, r.fragment, seg);
      return; // §D.4 dummy CCS; plaintext alerts
    }
    if (!queued) this.sum.records++;
    if (!this.sum.supported) return;
    let inner = d.keys13 && this.tryOpen13(d, d.keys13, r);
    if (inner === undefined && d.epoch13 === 'handshake') {
      // No handshake key, or the handshake ended in lost bytes: maybe this is already application data.
      const app = this.keys13For(d, 'application', d.keys13 !== undefined);
      if (app !== undefined) {
        const seq = d.seq;
        d.seq = 0;
        inner = this.tryOpen13(d, app, r);
        if (inner !== undefined) {
          d.epoch13 = 'application';
          d.keys13 = app;
        } else d.seq = seq;
      }
    }
    if (inner === undefined) {
      // Only the application secrets are logged: the handshake records before them are not ours to read.
      if (d.keys13 === undefined && d.epoch13 === 'handshake' && this.keys13For(d, 'application', true) !== undefined) return;
      return this.refused(d, r, seg, d.keys13 !== undefined);
    }
    d.fresh = false;
    this.sum.decrypted++;
    if (inner.type === ContentType.APPLICATION_DATA) this.deliver(d, inner.content, seg);
    else if (inner.type === ContentType.HANDSHAKE) this.handshake(d, inner.content, seg);
    if (d.rekey !== undefined) {
      // §5.1: a key change happens at a record boundary, after the message that announces it.
      if (d.rekey === 'finished') {
        d.epoch13 = 'application';
        d.keys13 = this.keys13For(d, 'application', false);
      } else if (d.keys13 !== undefined) {
        d.keys13 = trafficKeys(d.keys13.suite, nextTrafficSecret(d.keys13.suite, d.keys13.secret));
      }
      d.rekey = undefined;
      d.seq = 0;
      d.fresh = true;
    }
  }

  /** Opens with `keys` at the expected sequence number, or after lost bytes at the next few. */
  private tryOpen13(d: Direction<S>, keys: Tls13Keys, r: TlsRecord) {
    const tries = d.resync ? this.opts.maxSeqSkip : 1;
    for (let i = 0; i < tries; i++) {
      const inner = openRecord13(keys, d.seq + i, r.header, r.fragment);
      if (inner !== undefined) {
        d.seq += i + 1;
        d.resync = false;
        return inner;
      }
    }
    return undefined;
  }

  private keys13For(d: Direction<S>, epoch: 'handshake' | 'application', quiet: boolean): Tls13Keys | undefined {
    if (this.suite === undefined || this.clientRandom === undefined || d.role === undefined) return undefined;
    const label: KeyLogLabel = d.role === 'client'
      ? epoch === 'handshake' ? 'CLIENT_HANDSHAKE_TRAFFIC_SECRET' : 'CLIENT_TRAFFIC_SECRET_0'
      : epoch === 'handshake' ? 'SERVER_HANDSHAKE_TRAFFIC_SECRET' : 'SERVER_TRAFFIC_SECRET_0';
    const secret = this.keys.get(this.clientRandom, label);
    if (secret === undefined) {
      if (!quiet) this.missing.add(label);
      return undefined;
    }
    return trafficKeys(this.suite, secret);
  }

  // ---- TLS 1.2 and earlier ----

  private record12(d: Direction<S>, r: TlsRecord, seg: S, queued = false): void {
    if (!d.protected) {
      if (r.type === ContentType.HANDSHAKE) return this.handshake(d, r.fragment, seg);
      if (r.type === ContentType.CHANGE_CIPHER_SPEC) return this.changeCipherSpec(d);
      if (r.type === ContentType.APPLICATION_DATA) {
        if (!queued) this.sum.records++;
        this.noKey(d, r);
      }
      return;
    }
    if (!queued) this.sum.records++;
    if (d.state12 === undefined) return this.noKey(d, r);
    const plain = this.tryOpen12(d, d.state12, r);
    if (plain === undefined) return this.refused(d, r, seg, true);
    this.sum.decrypted++;
    d.fresh = false;
    switch (r.type) {
      case ContentType.APPLICATION_DATA: return this.deliver(d, plain, seg);
      case ContentType.HANDSHAKE: return this.handshake(d, plain, seg);
      case ContentType.CHANGE_CIPHER_SPEC: return this.changeCipherSpec(d); // renegotiation (RFC 5746)
    }
  }

  private tryOpen12(d: Direction<S>, s: Tls12WriteState, r: TlsRecord): Buffer | undefined {
    // TLS 1.0 CBC chains its IV through every record, so skipped records cannot be stepped over.
    const tries = d.resync && !(s.suite.kind === 'cbc' && s.version < 0x0302) ? this.opts.maxSeqSkip : 1;
    for (let i = 0; i < tries; i++) {
      const plain = openRecord12(s, d.seq + i, r.type, r.version, r.fragment);
      if (plain !== undefined) {
        d.seq += i + 1;
        d.resync = false;
        return plain;
      }
    }
    return undefined;
  }

  /** RFC 5246 §7.1: from here on this direction writes under the pending parameters. */
  private changeCipherSpec(d: Direction<S>): void {
    d.protected = true;
    d.seq = 0;
    d.fresh = true;
    d.state12 = undefined;
    const h = this.hello;
    if (h === undefined || this.suite === undefined || this.clientRandom === undefined || d.role === undefined) return;
    const master = this.keys.get(this.clientRandom, 'CLIENT_RANDOM');
    if (master === undefined) {
      this.missing.add('CLIENT_RANDOM');
      return;
    }
    const block = keyBlock(this.suite, h.version, master, this.clientRandom, h.random, h.encryptThenMac);
    d.state12 = d.role === 'client' ? block.client : block.server;
  }

  // ---- shared ----

  private handshake(d: Direction<S>, data: Buffer, seg: S): void {
    d.hs.push(data, (m) => this.message(d, m, seg));
  }

  private message(d: Direction<S>, m: HandshakeMessage, seg: S): void {
    const other = this.dirs[d.side === 0 ? 1 : 0];
    switch (m.type) {
      case HandshakeType.CLIENT_HELLO: {
        const ch = parseClientHello(m.body);
        if (ch === undefined) return;
        d.role = 'client';
        other.role = 'server';
        this.sum.clientSide = d.side;
        this.sum.sawClientHello = true;
        this.clientRandom = ch.random;
        this.sum.clientRandom = ch.random;
        return;
      }
      case HandshakeType.SERVER_HELLO: {
        const sh = parseServerHello(m.body);
        if (sh === undefined) return;
        d.role = 'server';
        other.role ??= 'client';
        this.sum.clientSide ??= other.side;
        this.sum.sawServerHello = true;
        this.hello = sh;
        this.sum.version = sh.version;
        this.sum.suite = sh.cipherSuite;
        if (sh.helloRetry) {
          // §4.1.4: a second ClientHello (same random) and ServerHello follow; nothing is protected yet.
          this.sum.helloRetry = true;
          return;
        }
        this.suite = cipherSuite(sh.cipherSuite);
        this.sum.supported = this.suite !== undefined && this.suite.tls13 === (sh.version >= 0x0304);
        if (!this.sum.supported) this.suite = undefined;
        if (sh.version >= 0x0304) {
          for (const x of this.dirs) x.keys13 = this.keys13For(x, 'handshake', this.keys13For(x, 'application', true) !== undefined);
        }
        this.hopeless();
        // Records that arrived before the parameters were known.
        for (const x of this.dirs) {
          const queued = x.queue;
          x.queue = [];
          for (const q of queued) {
            if (sh.version >= 0x0304) this.record13(x, q.r, q.seg, true);
            else this.record12(x, q.r, q.seg, true);
          }
        }
        return;
      }
      case HandshakeType.FINISHED:
        if (this.hello !== undefined && this.hello.version >= 0x0304 && d.epoch13 === 'handshake') d.rekey = 'finished';
        return;
      case HandshakeType.KEY_UPDATE:
        if (d.epoch13 === 'application') d.rekey = 'key-update';
        return;
    }
  }

  /** When no secret in the log can open this connection, records are only counted, not buffered. */
  private hopeless(): void {
    if (this.clientRandom === undefined) return;
    const labels: KeyLogLabel[] = this.hello!.version >= 0x0304
      ? ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']
      : ['CLIENT_RANDOM'];
    const none = !this.sum.supported || labels.every((l) => this.keys.get(this.clientRandom!, l) === undefined);
    if (!none) return;
    for (const l of labels) if (this.sum.supported) this.missing.add(l);
    for (const x of this.dirs) x.records.skipBodies = true;
  }

  private refused(d: Direction<S>, r: TlsRecord, seg: S, hadKey: boolean): void {
    if (!hadKey) return this.noKey(d, r);
    // Application data was lost (a TLS 1.3 record's real type is unknown until it opens).
    if (d.epoch13 === 'application' || r.type === ContentType.APPLICATION_DATA && this.hello!.version < 0x0304) d.plainGap = true;
    // §4.2.10: a client's 0-RTT data precedes its handshake-protected Finished and opens under neither key.
    if (d.role === 'client' && d.epoch13 === 'handshake' && d.fresh && this.hello!.version >= 0x0304) {
      this.sum.earlyData++;
      return;
    }
    this.sum.failed++;
    this.sum.firstFailure ??= { side: d.side, seq: d.seq, seg };
  }

  private noKey(d: Direction<S>, r: TlsRecord): void {
    if (r.type === ContentType.APPLICATION_DATA) d.plainGap = true;
    this.sum.noKey++;
  }

  private deliver(d: Direction<S>, data: Buffer, seg: S): void {
    if (data.length === 0) return;
    this.sum.plaintextBytes += data.length;
    const gap = d.plainGap;
    d.plainGap = false;
    d.sink(data, seg, gap);
  }
}
