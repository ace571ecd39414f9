/**
 * Build SIP wire bytes from intent for tests (STYLE.md principle 11):
 * `sipRequest({ method: 'INVITE', headers: [['v', 'SIP/2.0/UDP ...']] })`.
 * Defaults give a minimal valid message; every knob that a malformed-input
 * test needs (line ends, Content-Length, final empty line) is explicit.
 */

export type HeaderList = Array<[string, string]>;

export interface BuildOptions {
  /** Headers in order; default `basicHeaders(method)`. */
  headers?: HeaderList;
  body?: string | Buffer;
  /** Line end between start line and headers; default CRLF. */
  eol?: string;
  /** Content-Length to write: a number/string as given, null to omit; default the body length. */
  contentLength?: number | string | null;
  /** Omit the empty line after the headers (malformed). */
  noBlankLine?: boolean;
  /** How header text becomes bytes; latin1 writes each char below 256 as one byte. Default utf8. */
  encoding?: 'utf8' | 'latin1';
}

export interface RequestOptions extends BuildOptions {
  method?: string;
  uri?: string;
  version?: string;
}

export interface ResponseOptions extends BuildOptions {
  status?: number | string;
  reason?: string;
  version?: string;
  /** Method in the default CSeq. */
  method?: string;
}

/** The headers every request and response needs (RFC 3261 §8.1.1). */
export function basicHeaders(method = 'INVITE', callId = 'a84b4c76e66710@pc33.example.com'): HeaderList {
  return [
    ['Via', 'SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776asdhds'],
    ['Max-Forwards', '70'],
    ['To', 'Bob <sip:bob@example.com>'],
    ['From', 'Alice <sip:alice@example.com>;tag=1928301774'],
    ['Call-ID', callId],
    ['CSeq', `314159 ${method}`],
  ];
}

export function sipRequest(o: RequestOptions = {}): Buffer {
  const method = o.method ?? 'INVITE';
  return build(`${method} ${o.uri ?? 'sip:bob@example.com'} ${o.version ?? 'SIP/2.0'}`, o, method);
}

export function sipResponse(o: ResponseOptions = {}): Buffer {
  return build(`${o.version ?? 'SIP/2.0'} ${o.status ?? 200} ${o.reason ?? 'OK'}`, o, o.method ?? 'INVITE');
}

function build(startLine: string, o: BuildOptions, method: string): Buffer {
  const eol = o.eol ?? '\r\n';
  const body = o.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
  const lines = [startLine];
  for (const [n, v] of o.headers ?? basicHeaders(method)) lines.push(`${n}: ${v}`);
  const cl = o.contentLength === undefined ? body.length : o.contentLength;
  if (cl !== null) lines.push(`Content-Length: ${cl}`);
  const head = lines.join(eol) + eol + (o.noBlankLine ? '' : eol);
  return Buffer.concat([Buffer.from(head, o.encoding ?? 'utf8'), body]);
}

/** A typical audio offer (RFC 3264 §10.1 style). */
export function sdpOffer(o: { ip?: string; port?: number; eol?: string; extra?: string[] } = {}): string {
  const ip = o.ip ?? '192.0.2.10';
  const lines = [
    'v=0',
    `o=alice 2890844526 2890844526 IN IP4 ${ip}`,
    's=-',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${o.port ?? 49170} RTP/AVP 0 8 101`,
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=sendrecv',
    ...(o.extra ?? []),
  ];
  const eol = o.eol ?? '\r\n';
  return lines.join(eol) + eol;
}
