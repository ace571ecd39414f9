/**
 * No regular expression on untrusted text backtracks catastrophically (issue 10):
 * every exported parser that reads capture text runs on 100 kB adversarial
 * strings — long runs of one character, `;;;;`, nested and unclosed quotes,
 * `<<<<`, parameter soup, backslashes — and must finish each in < 200 ms.
 * A quadratic or exponential regex on any of them takes seconds or more.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { isPacketLine, parsePacketLine } from '../../src/capture/text-line.js';
import { payloadStart, rebuildPayload, startBySipLine } from '../../src/capture/text-payload.js';
import { portNumber } from '../../src/capture/text-ports.js';
import { parseAddress } from '../../src/capture/text-frame.js';
import { parseClause } from '../../src/calls/filter.js';
import { ipMatcher } from '../../src/calls/ip-match.js';
import { safeBlock, safeInline } from '../../src/core/sanitize.js';
import { parseLimit, LIMIT_SPECS } from '../../src/core/limits.js';
import { canonicalName } from '../../src/sip/compact.js';
import { parseCSeq } from '../../src/sip/cseq.js';
import { splitList } from '../../src/sip/headers.js';
import { boundaryOf, mediaType, splitMultipart } from '../../src/sip/multipart.js';
import { parseNameAddr, readQuoted } from '../../src/sip/name-addr.js';
import { normaliseNumber, partyNumber } from '../../src/sip/number.js';
import { parseContentLength, parseSipMessage } from '../../src/sip/parse.js';
import { parseSdp } from '../../src/sip/sdp.js';
import { parseUri } from '../../src/sip/uri.js';
import { parseVia } from '../../src/sip/via.js';
import { transactionKey } from '../../src/calls/store.js';

const N = 100_000;
const LIMIT_MS = 200;

/** Adversarial texts: each repeats a unit to 100 kB, some with a tail that makes a match fail late. */
const UNITS = ['a', ';', ' ', '\t', '"', '\\"', '"\\', '<', '>', '<<>', '=', ';a=', ';a', ',', '@', ':', 'sip:', '%', '%2', '[', '[:', '0', '1.', '+1', '\r\n', '\n ', '-', 'a-', '*', '?', '&', 'x="', '\\'];
const TAILS = ['', '!', '\u0000', '"', '\n'];

function* adversarial(): Generator<[string, string]> {
  for (const unit of UNITS) {
    for (const tail of TAILS) yield [`${JSON.stringify(unit)}×${N / unit.length | 0}${tail === '' ? '' : `+${JSON.stringify(tail)}`}`, unit.repeat(Math.ceil(N / unit.length)).slice(0, N) + tail];
  }
  yield ['nested quotes', '"a \\"b \\"c'.repeat(N / 10)];
  yield ['unclosed angle', '"x" <sip:' + 'a;b=c'.repeat(N / 5)];
  yield ['params soup', 'sip:u@h' + ';lr;transport=udp;x'.repeat(N / 19)];
  yield ['IPv6 soup', '[' + '::1:'.repeat(N / 4)];
}

const sip = (head: string, body = ''): Buffer => Buffer.from(`INVITE sip:b@x SIP/2.0\r\n${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'latin1');

/** Every parser, given one adversarial string. */
const PARSERS: Record<string, (s: string) => unknown> = {
  parseUri, parseVia, parseNameAddr, parseCSeq, splitList, boundaryOf, mediaType, normaliseNumber, partyNumber,
  parseContentLength, canonicalName, safeInline, safeBlock, isPacketLine, parsePacketLine, startBySipLine, portNumber,
  readQuoted: (s) => readQuoted(s, 0),
  parseAddress4: (s) => parseAddress(s, false),
  parseAddress6: (s) => parseAddress(s, true),
  payloadStart: (s) => payloadStart(s, undefined),
  rebuildPayload,
  parseSdp,
  // Five fields of a fifth each: 100 kB of SDP in all, like the other inputs.
  sdpLines: (s) => { const f = s.slice(-N / 5); return parseSdp(`v=0\r\no=- 1 1 IN IP4 ${f}\r\nc=IN IP4 ${f}\r\nm=audio ${f} RTP/AVP ${f}\r\na=rtpmap:${f}\r\n`); },
  splitMultipart: (s) => splitMultipart(Buffer.from(`--b\r\nContent-Type: ${s}\r\n\r\n${s}\r\n--b--`, 'latin1'), 'b'),
  boundaryParam: (s) => boundaryOf(`multipart/mixed; boundary=${s}`),
  parseClause: (s) => { try { return parseClause(`srcnum ${s}`); } catch { return undefined; } },
  ipMatcher: (s) => { try { return ipMatcher(s)('10.0.0.1'); } catch { return undefined; } },
  parseLimit: (s) => { try { return parseLimit(LIMIT_SPECS[0]!, s); } catch { return undefined; } },
  startLine: (s) => parseSipMessage(Buffer.from(`INVITE ${s} SIP/2.0\r\n\r\n`, 'latin1')),
  statusLine: (s) => parseSipMessage(Buffer.from(`SIP/2.0 200 ${s}\r\n\r\n`, 'latin1')),
  headerValue: (s) => {
    const m = parseSipMessage(sip(`Via: SIP/2.0/UDP ${s}\r\nFrom: ${s}\r\nTo: ${s}\r\nCall-ID: ${s}\r\nCSeq: ${s}\r\nContact: ${s}\r\nContent-Type: ${s}`));
    return m === null ? null : transactionKey({ msg: m });
  },
  headerName: (s) => parseSipMessage(sip(`${s}: x\r\nCall-ID: 1`)),
  body: (s) => parseSipMessage(sip('Call-ID: 1\r\nContent-Type: application/sdp', s)),
};

for (const [name, parse] of Object.entries(PARSERS)) {
  test(`ReDoS: ${name} stays under ${LIMIT_MS} ms on every 100 kB adversarial input`, () => {
    const slow: string[] = [];
    for (const [label, text] of adversarial()) {
      const t0 = performance.now();
      parse(text);
      const ms = performance.now() - t0;
      // One retry: a GC pause or a busy machine is not a regex that backtracks.
      if (ms > LIMIT_MS) {
        const t1 = performance.now();
        parse(text);
        const again = performance.now() - t1;
        if (again > LIMIT_MS) slow.push(`${label}: ${Math.round(Math.min(ms, again))} ms`);
      }
    }
    assert.deepEqual(slow, []);
  });
}
