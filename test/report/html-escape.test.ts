/**
 * HTML escaping without a browser (issue 10; the browser tests in
 * report-browser.ts also run the page): a report of calls whose headers, body
 * and input file name hold markup is written by the real binary; the page has
 * exactly its own two script elements, the hostile text appears nowhere as
 * markup (it travels inside the gzip+base64 model and comes back intact), the
 * file name is entity-escaped, and the page script builds the DOM from text
 * only (no innerHTML, no eval).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPORT_SCRIPT } from '../../src/report/html/client.js';
import { escapeHtml } from '../../src/report/html/page.js';
import { sipPcap } from '../helpers/sip-pcap.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const EVIL = `<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script><!--`;

test('escapeHtml leaves no character that starts or ends markup or an attribute', () => {
  assert.equal(escapeHtml(`<a href='x'>&"</a>`), '&#60;a href=&#39;x&#39;&#62;&#38;&#34;&#60;/a&#62;');
});

test('the page script builds the DOM from text: no innerHTML, outerHTML, insertAdjacentHTML, document.write, eval or Function', () => {
  assert.doesNotMatch(REPORT_SCRIPT, /\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\s*\(|new Function\b|setTimeout\s*\(\s*['"`]/);
});

test('report -o: hostile header values, body and file name stay text', { skip: BIN_MISSING }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipv-html-'));
  const input = join(dir, `<b onclick='x'>evil.pcap`);
  writeFileSync(input, sipPcap([
    { at: 1_700_000_000, from: '10.0.0.1:5060', to: '10.0.0.2:5060',
      text: `INVITE sip:${EVIL}@x SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\nFrom: "${EVIL}" <sip:1001@x>;tag=1\nTo: <sip:1002@x>\nCall-ID: ${EVIL}\nCSeq: 1 INVITE\nX-Evil: ${EVIL}\nContent-Type: text/html\nContent-Length: ${EVIL.length}\n\n${EVIL}` },
    { at: 1_700_000_001, from: '10.0.0.2:5060', to: '10.0.0.1:5060',
      text: `SIP/2.0 403 ${EVIL}\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\nFrom: <sip:1001@x>;tag=1\nTo: <sip:1002@x>;tag=2\nCall-ID: ${EVIL}\nCSeq: 1 INVITE\nWarning: 399 ${EVIL}\nContent-Length: 0\n\n` },
  ]));
  const out = join(dir, 'r.html');
  const r = sipv(['report', input, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.equal((html.match(/<script\b/gi) ?? []).length, 2, 'only the page\'s own two script elements open');
  assert.equal((html.match(/<\/script/gi) ?? []).length, 2, 'and only they close');
  assert.doesNotMatch(html, /__pwned|onerror|<img\b|<b\b/i, 'no hostile markup in the page text');
  assert.match(html, /&#60;b onclick=&#39;x&#39;&#62;evil\.pcap/, 'the file name is entity-escaped');
  // The hostile text is data in the model, and comes back byte for byte.
  const packed = /<script type="application\/octet-stream" id="sipv-data">([^<]*)<\/script>/.exec(html);
  assert.ok(packed !== null);
  const model = gunzipSync(Buffer.from(packed[1]!.replace(/\s/g, ''), 'base64')).toString('utf8');
  assert.ok(model.includes(JSON.stringify(EVIL).slice(1, -1)), 'the model carries the header text intact');
});
