/**
 * The probe requests: what a phone behind NAT would send, with its private
 * address wherever phones put it — top Via sent-by (with rport, RFC 3581),
 * Contact, From (and To for a REGISTER, whose To is the address of record),
 * Call-ID, and in the INVITE's SDP o= and c= (RFC 8866 §5.2, §5.7) — so an
 * ALG has everything it usually rewrites. Each request has its own Call-ID,
 * branch and CSeq number, so a response still finds its request when an ALG
 * rewrote the identifiers.
 */
import { randomBytes } from 'node:crypto';
import { DELAY_HEADER, PROBE_HEADER } from './echo.js';

export interface Identity {
  /** This host's address and port as the socket sees them (behind NAT: private). */
  localIp: string;
  localPort: number;
  /** The mirror as addressed: `host` or `host:port`. */
  server: string;
  transport: 'udp' | 'tcp';
  token: string;
}

export const PROBE_METHODS = ['REGISTER', 'INVITE', 'OPTIONS'] as const;
export type ProbeMethod = (typeof PROBE_METHODS)[number];

const hex = (n: number) => randomBytes(n).toString('hex');
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function probeRequest(method: ProbeMethod, id: Identity, cseq: number, extra: string[] = []): Buffer {
  const me = hostPort(id.localIp, id.localPort);
  const aor = `<sip:probe@${me}>`;
  const sdp = method === 'INVITE' ? sdpOffer(id.localIp) : '';
  const lines = [
    `${method} sip:${method === 'INVITE' ? 'mirror@' : ''}${id.server} SIP/2.0`,
    `Via: SIP/2.0/${id.transport.toUpperCase()} ${me};branch=z9hG4bK${hex(8)};rport`,
    'Max-Forwards: 70',
    `From: ${aor};tag=${hex(4)}`,
    `To: ${method === 'REGISTER' ? aor : `<sip:${method === 'INVITE' ? 'mirror@' : ''}${id.server}>`}`,
    `Call-ID: ${hex(8)}@${id.localIp}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: ${aor}`,
    ...(method === 'REGISTER' ? ['Expires: 60'] : []),
    ...(method === 'OPTIONS' ? ['Accept: application/sdp'] : []),
    `${PROBE_HEADER}: ${id.token}`,
    ...extra,
    'User-Agent: sipv-probe',
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdp)}`,
  ];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + sdp, 'utf8');
}

/** An OPTIONS asking the mirror for a late reply after `delayMs` (NAT-timeout trial). */
export function delayRequest(id: Identity, cseq: number, delayMs: number): Buffer {
  return probeRequest('OPTIONS', id, cseq, [`${DELAY_HEADER}: ${Math.round(delayMs)}`]);
}

function sdpOffer(ip: string): string {
  const sess = String(Date.now() % 1e9);
  const fam = ip.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0', `o=probe ${sess} ${sess} IN ${fam} ${ip}`, 's=sipv probe', `c=IN ${fam} ${ip}`, 't=0 0',
    'm=audio 49170 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
  ].join('\r\n');
}
