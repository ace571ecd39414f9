/**
 * SDP bodies (RFC 4566, offer/answer RFC 3264) into a small model we own.
 *
 * Parsing is delegated to `sdp-transform` (pinned) and wrapped: it never sees
 * an exception escape, and because it silently ignores lines it does not
 * understand, a cheap line scan first reports garbage lines, malformed `m=`,
 * `c=` and `o=` lines. What the NAT/codec rules need is kept: origin and
 * connection addresses, per-media port, payloads, codecs (static payload
 * types named from RFC 3551 when there is no rtpmap), direction and rtcp.
 * Issue offsets are character offsets into the SDP text.
 */
import sdpTransform from 'sdp-transform';
import { issue, type Issue } from '../core/issue.js';
import { getHeader } from './headers.js';
import type { SipMessage } from './message.js';
import { boundaryOf, mediaType, splitMultipart } from './multipart.js';

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export interface SdpConnection { ip: string; version: number }
export interface SdpCodec { payload: number; name: string; rate?: number; channels?: number }
export interface SdpMedia {
  type: string;
  port: number;
  protocol: string;
  payloads: number[];
  codecs: SdpCodec[];
  connection?: SdpConnection;
  direction: SdpDirection;
  rtcp?: { port: number; address?: string };
  /** `a=ptime` in ms (RFC 4566 §6), media level, else session level. */
  ptime?: number;
}
export interface SdpSession {
  origin: { username: string; sessionId: string; version: string; netType: string; addrType: string; address: string };
  connection?: SdpConnection;
  media: SdpMedia[];
  issues: Issue[];
}

// RFC 3551 tables 4 and 5: payload types with a fixed meaning.
const STATIC: Record<number, [string, number, number?]> = {
  0: ['PCMU', 8000], 3: ['GSM', 8000], 4: ['G723', 8000], 5: ['DVI4', 8000], 6: ['DVI4', 16000],
  7: ['LPC', 8000], 8: ['PCMA', 8000], 9: ['G722', 8000], 10: ['L16', 44100, 2], 11: ['L16', 44100],
  12: ['QCELP', 8000], 13: ['CN', 8000], 14: ['MPA', 90000], 15: ['G728', 8000], 16: ['DVI4', 11025],
  17: ['DVI4', 22050], 18: ['G729', 8000], 25: ['CelB', 90000], 26: ['JPEG', 90000], 28: ['nv', 90000],
  31: ['H261', 90000], 32: ['MPV', 90000], 33: ['MP2T', 90000], 34: ['H263', 90000],
};
const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** Parse an SDP body; never throws. */
export function parseSdp(body: Buffer | string): SdpSession {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const issues = scanLines(text);
  const session: SdpSession = {
    origin: { username: '', sessionId: '', version: '', netType: '', addrType: '', address: '' },
    media: [], issues,
  };
  let parsed: sdpTransform.SessionDescription;
  try {
    parsed = sdpTransform.parse(text);
  } catch (e) {
    issues.push(issue('sdp.parse-failed', `SDP parser failed: ${(e as Error).message}`));
    return session;
  }
  const o = parsed.origin;
  if (o) {
    session.origin = {
      username: String(o.username ?? ''), sessionId: String(o.sessionId ?? ''), version: String(o.sessionVersion ?? ''),
      netType: String(o.netType ?? ''), addrType: o.ipVer ? `IP${o.ipVer}` : '', address: String(o.address ?? ''),
    };
  }
  const sessionConn = connection(parsed.connection);
  if (sessionConn) session.connection = sessionConn;
  const sessionDir = DIRECTIONS.has(String(parsed.direction)) ? (parsed.direction as SdpDirection) : 'sendrecv';
  for (const m of parsed.media ?? []) {
    const media = toMedia(m, sessionDir, Number((parsed as { ptime?: unknown }).ptime));
    if (!media.connection && !sessionConn && media.port !== 0) {
      issues.push(issue('sdp.missing-connection', `m=${media.type} has no c= line and neither has the session`));
    }
    session.media.push(media);
  }
  return session;
}

function toMedia(m: sdpTransform.MediaDescription, sessionDir: SdpDirection, sessionPtime: number): SdpMedia {
  const payloads: number[] = [];
  for (const p of String(m.payloads ?? '').split(' ')) if (/^\d{1,3}$/.test(p)) payloads.push(Number(p));
  const codecs: SdpCodec[] = [];
  for (const pt of payloads) {
    const r = m.rtp?.find((x) => x.payload === pt);
    const s = STATIC[pt];
    if (r) codecs.push(codec(pt, r.codec, r.rate, r.encoding === undefined ? undefined : Number(r.encoding)));
    else if (s) codecs.push(codec(pt, s[0], s[1], s[2]));
  }
  const media: SdpMedia = {
    type: String(m.type ?? ''), port: Number(m.port), protocol: String(m.protocol ?? ''), payloads, codecs,
    direction: DIRECTIONS.has(String(m.direction)) ? (m.direction as SdpDirection) : sessionDir,
  };
  const c = connection(m.connection);
  if (c) media.connection = c;
  const ptime = m.ptime !== undefined ? Number(m.ptime) : sessionPtime;
  if (Number.isFinite(ptime) && ptime > 0) media.ptime = ptime;
  if (m.rtcp && Number.isFinite(Number(m.rtcp.port))) {
    media.rtcp = m.rtcp.address ? { port: Number(m.rtcp.port), address: m.rtcp.address } : { port: Number(m.rtcp.port) };
  }
  return media;
}

function codec(payload: number, name: string, rate?: number, channels?: number): SdpCodec {
  const c: SdpCodec = { payload, name };
  if (rate !== undefined && Number.isFinite(rate)) c.rate = rate;
  if (channels !== undefined && Number.isFinite(channels)) c.channels = channels;
  return c;
}

function connection(c: { ip: string; version: number } | undefined): SdpConnection | undefined {
  return c && c.ip ? { ip: String(c.ip), version: Number(c.version) } : undefined;
}

/** Report what sdp-transform would silently skip (RFC 4566 §5 line grammar). */
function scanLines(text: string): Issue[] {
  const issues: Issue[] = [];
  let sawVersion = false, sawOrigin = false;
  let at = 0;
  for (const line of text.split('\n')) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    const offset = at;
    at += line.length + 1;
    if (l === '') continue;
    if (l.length < 2 || l[1] !== '=' || l[0]! < 'a' || l[0]! > 'z') {
      issues.push(issue('sdp.bad-line', `not a type=value line: "${l.slice(0, 40)}"`, offset));
      continue;
    }
    const v = l.slice(2);
    if (l[0] === 'v') sawVersion = true;
    else if (l[0] === 'o') {
      sawOrigin = true;
      if (v.trim().split(/\s+/).length !== 6) issues.push(issue('sdp.bad-origin', `o= needs 6 fields: "${v}"`, offset));
    } else if (l[0] === 'c' && !/^IN IP[46] \S+/.test(v)) {
      issues.push(issue('sdp.bad-connection', `c= is not "IN IP4|IP6 address": "${v}"`, offset));
    } else if (l[0] === 'm' && !/^\S+ \d+(?:\/\d+)? \S+( \S+)*$/.test(v)) {
      issues.push(issue('sdp.bad-media-line', `m= is not "media port proto fmt...": "${v}"`, offset));
    }
  }
  if (!sawVersion) issues.push(issue('sdp.missing-version', 'SDP has no v= line'));
  if (!sawOrigin) issues.push(issue('sdp.missing-origin', 'SDP has no o= line'));
  return issues;
}

/**
 * The SDP of a message: the body when Content-Type is application/sdp, the
 * first application/sdp part of a multipart body, or a body that starts with
 * `v=0` when Content-Type is absent. Undefined when there is none.
 */
export function sdpOfMessage(msg: SipMessage): SdpSession | undefined {
  if (msg.body.length === 0) return undefined;
  const ct = getHeader(msg, 'content-type');
  if (ct === undefined) return msg.body.subarray(0, 3).toString('latin1') === 'v=0' ? parseSdp(msg.body) : undefined;
  const type = mediaType(ct);
  if (type === 'application/sdp') return parseSdp(msg.body);
  if (!type.startsWith('multipart/')) return undefined;
  const boundary = boundaryOf(ct);
  if (boundary === undefined) return undefined;
  const { parts, issues } = splitMultipart(msg.body, boundary);
  const part = parts.find((p) => p.contentType === 'application/sdp');
  if (!part) return undefined;
  const sdp = parseSdp(part.body);
  sdp.issues.unshift(...issues);
  return sdp;
}
