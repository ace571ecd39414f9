/**
 * From transport payloads to SIP messages: the one place that knows how SIP
 * travels. UDP datagrams and SCTP DATA chunks hold one message each; TCP is
 * reassembled per direction and framed by Content-Length, possibly inside
 * WebSocket (RFC 7118); HEP over TCP is framed here (the packet decoder
 * already unwraps HEP in UDP datagrams).
 * Anything that is not SIP is counted, never an error.
 */
import { issue, type Issue } from '../core/issue.js';
import { DEFAULT_LIMITS, type LimitHit, type Limits } from '../core/limits.js';
import type { CapturedMessage, MessageTransport } from '../calls/captured-message.js';
import { endpoint, type TransportPayload } from '../net/packet.js';
import { decodeHep } from '../net/hep.js';
import { TcpReassembler } from '../net/tcp-stream.js';
import { WebSocketParser } from '../net/websocket.js';
import { sipStartLineKind } from '../sip/detect.js';
import { SipStreamFramer } from '../sip/framer.js';
import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADERS, parseSipMessage, type ParseOptions } from '../sip/parse.js';
import { isCleanScan, scanSipMessage } from '../sip/scan.js';
import { TlsDecryptor, type TlsStream } from '../tls/decryptor.js';
import { KeyLog } from '../tls/keylog.js';

/** Gets each message once; `seq` is left 0 for the call store to number. */
export type MessageSink = (m: CapturedMessage) => void;

export interface ExtractStats {
  sipMessages: number;
  hepPackets: number;
  nonSipDatagrams: number;
  nonSipStreamBytes: number;
  tlsStreams: number;
}

/** What a TCP direction turned out to carry, decided by its first bytes. */
type StreamMode =
  | { kind: 'probe' }
  | { kind: 'sip'; framer: SipStreamFramer; transport: MessageTransport }
  | { kind: 'websocket'; ws: WebSocketParser }
  | { kind: 'hep'; framer: HepStreamFramer }
  | { kind: 'other' }
  | { kind: 'tls'; tls: TlsStream };

const HEP3 = Buffer.from('HEP3');
const TLS_PLAINTEXT = '|tls';
const SIP_VERSION = Buffer.from('SIP/2.0');

export class SipExtractor {
  readonly stats: ExtractStats = { sipMessages: 0, hepPackets: 0, nonSipDatagrams: 0, nonSipStreamBytes: 0, tlsStreams: 0 };
  private readonly own: Issue[] = [];

  /** SIP-framing, WebSocket and HEP issues, then the TCP reassembler's (gaps, evictions). */
  get issues(): Issue[] {
    const ws: Issue[] = [];
    for (const [dir, mode] of this.streams) if (mode.kind === 'websocket') for (const i of mode.ws.issues) ws.push(inStream(dir, i));
    return [...this.tls.issues, ...this.own, ...ws, ...this.tcp.issues];
  }
  private readonly tcp: TcpReassembler;
  private readonly limits: Limits;
  private readonly parseOptions: ParseOptions;
  /** The scan knows only the default header limits: lower ones need the full parser. */
  private readonly scan: boolean;
  /** Scanned messages carry their header names (the store's filter facts read them). */
  private readonly headerNames: boolean;
  /** Messages whose headers were cut by `maxHeaders` / `maxHeaderBytes`. */
  private readonly headerCuts = { tooMany: 0, tooLong: 0 };
  private readonly streams = new Map<string, StreamMode>();
  /** The segment that last delivered bytes per direction, to date messages flushed at the end. */
  private readonly lastSegment = new Map<string, TransportPayload>();
  /** Per SIP direction, the frames whose bytes the framer holds: a message's frames for export. */
  private readonly trails = new Map<string, number[]>();

  /** TLS directions and their decrypted plaintext (issue 14). */
  readonly tls: TlsDecryptor;

  /** `source` is the position of the input in the FILE... list; `keylog` holds TLS secrets (SSLKEYLOGFILE). */
  constructor(private readonly sink: MessageSink, private readonly source = 0, opts: { keylog?: KeyLog; limits?: Limits; headerNames?: boolean } = {}) {
    this.tls = new TlsDecryptor(opts.keylog ?? new KeyLog());
    const limits = opts.limits ?? DEFAULT_LIMITS;
    this.limits = limits;
    this.tcp = new TcpReassembler({ maxBufferedBytes: limits.maxTcpBuffer, maxFlows: limits.maxTcpFlows });
    this.parseOptions = { maxHeaders: limits.maxHeaders, maxHeaderBytes: limits.maxHeaderBytes };
    this.scan = limits.maxHeaders >= DEFAULT_MAX_HEADERS && limits.maxHeaderBytes >= DEFAULT_MAX_HEADER_BYTES;
    this.headerNames = opts.headerNames ?? true;
  }

  /** What each limit cut so far, one entry per limit that was reached. */
  limitHits(): LimitHit[] {
    const hits: LimitHit[] = [];
    const t = this.tcp.stats;
    if (t.bufferGaps > 0) hits.push({ key: 'maxTcpBuffer', count: t.bufferGaps, bytes: t.bufferGapBytes, noun: ['TCP gap', 'TCP gaps'], why: 'more than {limit} buffered behind a missing segment' });
    if (t.evicted > 0) hits.push({ key: 'maxTcpFlows', count: t.evicted, noun: ['TCP direction forgotten', 'TCP directions forgotten'], why: 'more than {limit} open at once' });
    let cut = 0, cutBytes = 0, ws = 0;
    for (const mode of this.streams.values()) {
      if (mode.kind === 'sip') { cut += mode.framer.tooLarge.messages; cutBytes += mode.framer.tooLarge.skippedBytes; }
      if (mode.kind === 'websocket') ws += mode.ws.tooLarge;
    }
    if (cut > 0) hits.push({ key: 'maxMessageBytes', count: cut, bytes: cutBytes, noun: ['SIP message cut', 'SIP messages cut'], why: 'larger than {limit} on a stream' });
    if (ws > 0) hits.push({ key: 'maxMessageBytes', count: ws, noun: ['WebSocket message dropped', 'WebSocket messages dropped'], why: 'larger than {limit}' });
    if (this.headerCuts.tooMany > 0) hits.push({ key: 'maxHeaders', count: this.headerCuts.tooMany, noun: ['SIP message with headers left unparsed', 'SIP messages with headers left unparsed'], why: 'more than {limit} headers' });
    if (this.headerCuts.tooLong > 0) hits.push({ key: 'maxHeaderBytes', count: this.headerCuts.tooLong, noun: ['SIP message with headers left unparsed', 'SIP messages with headers left unparsed'], why: 'headers longer than {limit}' });
    return hits;
  }

  push(p: TransportPayload): void {
    if (p.transport === 'tcp') {
      this.tcp.push(p, (dir, data, seg, gap) => this.onStream(dir, data, seg, gap));
      return;
    }
    if (p.payload.length === 0) return;
    if (!this.emitDatagram(p.payload, p, p.transport)) this.stats.nonSipDatagrams++;
  }

  end(): void {
    this.tcp.end((dir, data, seg, gap) => this.onStream(dir, data, seg, gap));
    this.tls.end();
    for (const [dir, mode] of this.streams) {
      if (mode.kind === 'sip') mode.framer.end((raw, problems) => this.emitFramed(raw, problems, this.lastSegment.get(dir)!, mode.transport, this.takeTrail(dir, [])));
    }
  }

  /** One SIP message in one datagram or chunk; false when it is not SIP. */
  private emitDatagram(payload: Buffer, p: TransportPayload, transport: MessageTransport): boolean {
    const kind = sipStartLineKind(payload);
    if (kind === null) return false;
    // Clean datagrams (nearly all) take the scan; anything odd gets the full parser.
    const msg = (this.scan ? scanSipMessage(payload, kind, this.headerNames) : null) ?? parseSipMessage(payload, this.parseOptions);
    if (msg === null) return false;
    this.emit(msg, p, transport);
    return true;
  }

  private emit(msg: NonNullable<ReturnType<typeof parseSipMessage>>, p: TransportPayload, transport: MessageTransport, hep?: CapturedMessage['hep'], frames = p.frames): void {
    this.stats.sipMessages++;
    if (!isCleanScan(msg)) this.countCuts(msg.issues);
    const m: CapturedMessage = {
      seq: 0, source: this.source, frame: p.frame, sec: p.sec, nsec: p.nsec,
      srcIp: p.srcIp, srcPort: p.srcPort, dstIp: p.dstIp, dstPort: p.dstPort,
      transport, msg,
    };
    if (hep !== undefined) m.hep = hep;
    if (frames !== undefined && frames.length > 1) m.frames = frames;
    this.sink(m);
  }

  private onHep(buf: Buffer, outer: TransportPayload): void {
    const hep = decodeHep(buf);
    if (hep === null) {
      this.stats.nonSipDatagrams++;
      return;
    }
    this.stats.hepPackets++;
    for (const problem of hep.issues) this.own.push({ ...problem, detail: `frame ${outer.frame}: ${problem.detail}` });
    const inner: TransportPayload = {
      frame: outer.frame,
      sec: hep.sec || outer.sec,
      nsec: hep.sec ? hep.usec * 1000 : outer.nsec,
      srcIp: hep.srcIp, dstIp: hep.dstIp, srcPort: hep.srcPort, dstPort: hep.dstPort,
      transport: hep.ipProto === 6 ? 'tcp' : 'udp',
      payload: hep.payload,
    };
    const meta: CapturedMessage['hep'] = { version: hep.version };
    if (hep.captureId !== undefined) meta.captureId = hep.captureId;
    if (hep.correlationId !== undefined) meta.correlationId = hep.correlationId;
    // A HEP payload is one whole SIP message even when the original went over TCP.
    if (sipStartLineKind(hep.payload) === null) return;
    const msg = parseSipMessage(hep.payload, this.parseOptions);
    if (msg !== null) this.emit(msg, inner, inner.transport as MessageTransport, meta);
  }

  private onStream(dir: string, data: Buffer, seg: TransportPayload, gap: boolean): void {
    this.lastSegment.set(dir, seg);
    let mode = this.streams.get(dir) ?? { kind: 'probe' };
    if (mode.kind === 'probe') {
      mode = chooseMode(data, this.limits);
      if (mode.kind === 'other' && isTls(data)) this.stats.tlsStreams++;
      if (mode.kind === 'other' && isTls(data)) mode = this.openTls(dir, seg);
      if (mode.kind === 'sip' && dir.endsWith(TLS_PLAINTEXT)) mode.transport = 'tls';
      if (mode.kind !== 'probe') this.streams.set(dir, mode);
    }
    switch (mode.kind) {
      case 'probe':
      case 'other':
        this.stats.nonSipStreamBytes += data.length;
        return;
      case 'sip':
        // Bytes were lost before this delivery: the framer drops its partial message and resyncs.
        if (gap) mode.framer.gap();
        this.addToTrail(dir, seg);
        mode.framer.push(data, (raw, problems) => this.emitFramed(raw, problems, seg, mode.transport, this.takeTrail(dir, [seg.frame])));
        // Nothing held back: the next message starts in a later segment.
        if (mode.framer.buffered === 0) this.trails.delete(dir);
        return;
      case 'websocket':
        mode.ws.push(data, (payload: Buffer) => { if (!this.emitDatagram(payload, seg, 'ws')) this.stats.nonSipDatagrams++; });
        return;
      case 'tls':
        mode.tls.push(data, seg, gap);
        return;
      case 'hep':
        mode.framer.push(data, (packet) => this.onHep(packet, seg));
        return;
    }
  }

  /**
   * Issue 14: a TLS direction goes to the decryptor, and its plaintext comes back
   * here as a stream of its own (the direction key + TLS_PLAINTEXT), chosen by its
   * first bytes like any TCP stream — SIP is marked `tls`, WebSocket stays `ws`.
   */
  private openTls(dir: string, seg: TransportPayload): StreamMode {
    const inner = dir + TLS_PLAINTEXT;
    return { kind: 'tls', tls: this.tls.open(seg, (plain, at, gap) => this.onStream(inner, plain, at, gap)) };
  }

  /** Header limits reached in one message (the framer counts its own cuts). */
  private countCuts(issues: readonly Issue[]): void {
    for (const i of issues) {
      if (i.code === 'sip.too-many-headers') this.headerCuts.tooMany++;
      else if (i.code === 'sip.headers-too-long') this.headerCuts.tooLong++;
    }
  }

  private emitFramed(raw: Buffer, problems: Issue[], seg: TransportPayload, transport: MessageTransport, frames: number[]): void {
    const msg = parseSipMessage(raw, this.parseOptions);
    if (msg === null) {
      this.own.push(issue('sip.unframed', `frame ${seg.frame}: ${raw.length} bytes on a SIP stream are not a SIP message`));
      return;
    }
    msg.issues.unshift(...problems);
    this.emit(msg, seg, transport, undefined, frames);
  }

  private addToTrail(dir: string, seg: TransportPayload): void {
    const trail = this.trails.get(dir) ?? [];
    for (const f of seg.frames ?? [seg.frame]) if (trail[trail.length - 1] !== f) trail.push(f);
    this.trails.set(dir, trail);
  }

  /**
   * The frames of the message just framed; `rest` starts the next trail — the
   * segment that completed this message may already hold the next one's start.
   */
  private takeTrail(dir: string, rest: number[]): number[] {
    const trail = this.trails.get(dir) ?? [];
    this.trails.set(dir, rest);
    return trail;
  }
}

/** The HTTP Upgrade of RFC 6455 §4, either the client's GET or the server's 101. */
function isWebSocketHandshake(b: Buffer): boolean {
  const head = b.toString('latin1', 0, Math.min(b.length, 2048));
  return (head.startsWith('GET ') || head.startsWith('HTTP/1.1 101')) && /\bupgrade:\s*websocket/i.test(head);
}

function isTls(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0x16 && b[1] === 0x03;
}

/**
 * A direction starts out unknown; its first bytes decide. A capture may begin
 * mid-stream, so SIP is recognised anywhere in the first chunk that holds
 * `SIP/2.0`, and the framer skips (and reports) what comes before.
 */
function chooseMode(data: Buffer, limits: Limits): StreamMode {
  if (data.length >= 4 && data.subarray(0, 4).equals(HEP3)) return { kind: 'hep', framer: new HepStreamFramer() };
  if (isWebSocketHandshake(data)) return { kind: 'websocket', ws: new WebSocketParser({ maxPayload: limits.maxMessageBytes }) };
  if (isTls(data)) return { kind: 'other' };
  if (data.indexOf(SIP_VERSION) >= 0) return { kind: 'sip', framer: new SipStreamFramer({ maxMessageBytes: limits.maxMessageBytes }), transport: 'tcp' };
  return { kind: 'probe' };
}

/** HEPv3 over TCP: back-to-back packets, each with its total length in bytes 4–5. */
class HepStreamFramer {
  private pending: Buffer = Buffer.alloc(0);

  push(data: Buffer, emit: (packet: Buffer) => void): void {
    let buf = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (buf.length >= 6) {
      const length = buf.readUInt16BE(4);
      if (length < 6 || !buf.subarray(0, 4).equals(HEP3)) {
        buf = Buffer.alloc(0); // lost framing: drop what is buffered, wait for the next packet start
        break;
      }
      if (buf.length < length) break;
      emit(buf.subarray(0, length));
      buf = buf.subarray(length);
    }
    this.pending = Buffer.from(buf);
  }
}

/**
 * A stream parser's issue as the input reports it: the direction and the byte
 * of the stream go into its text, not into `offset`, which the report shows as
 * a place in the file.
 */
function inStream(dir: string, i: Issue): Issue {
  const [transport, srcIp, srcPort, dstIp, dstPort] = dir.split('|');
  const where = `${transport} ${endpoint(srcIp!, Number(srcPort))} -> ${endpoint(dstIp!, Number(dstPort))}`;
  return { code: i.code, detail: `${where}${i.offset === undefined ? '' : `, stream byte ${i.offset}`}: ${i.detail}` };
}
