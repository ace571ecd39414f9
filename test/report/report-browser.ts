/**
 * The HTML report in real browsers: headless Debian Chromium and Firefox ESR,
 * both driven by puppeteer-core (Chromium over the DevTools protocol, Firefox
 * over WebDriver BiDi; never a downloaded browser). The page must load with no
 * console errors and no network, list as many calls as `sipv calls`, draw a
 * clicked call's ladder with one arrow per message, link findings to their
 * evidence messages, diff two messages, and show hostile header values as
 * text. Screenshots go to test-output/ for CI to keep. html-report.test.ts and
 * html-report-firefox.test.ts run these tests, one engine each.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { CAPTURES, REPO } from '../helpers/paths.js';
import { sipPcap, type SipPacket } from '../helpers/sip-pcap.js';

export type Engine = 'chromium' | 'firefox';

const EXECUTABLE: Record<Engine, { path: string; pkg: string }> = {
  chromium: { path: '/usr/bin/chromium', pkg: 'chromium' },
  firefox: { path: '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
};
const OUTPUT = join(REPO, 'test-output');

/** Runs the CLI from source (tsx) so the test needs no build. */
function sipv(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 10,000 four-message calls: the report stays small and the page stays quick. */
function manyCalls(n: number): Buffer {
  const packets: SipPacket[] = [];
  for (let i = 0; i < n; i++) {
    const phone = `10.0.${i % 200}.1:5060`;
    const msg = (first: string, cseq: string): string => [first, `Via: SIP/2.0/UDP ${phone};branch=z9hG4bK-${i}-${cseq.replace(' ', '')}`,
      `From: <sip:49${1000 + i}@10.0.0.1>;tag=a${i}`, `To: <sip:49${2000 + i}@10.0.0.2>`, `Call-ID: call-${i}@10.0.0.1`, `CSeq: ${cseq}`, 'Content-Length: 0', '', ''].join('\n');
    const at = 1_700_000_000 + i * 0.1;
    packets.push({ at, from: phone, to: '10.0.0.2:5060', text: msg('INVITE sip:x@10.0.0.2 SIP/2.0', '1 INVITE') });
    packets.push({ at: at + 0.01, from: '10.0.0.2:5060', to: phone, text: msg('SIP/2.0 100 Trying', '1 INVITE') });
    packets.push({ at: at + 0.02, from: '10.0.0.2:5060', to: phone, text: msg(i % 3 ? 'SIP/2.0 200 OK' : 'SIP/2.0 486 Busy Here', '1 INVITE') });
    packets.push({ at: at + 0.03, from: phone, to: '10.0.0.2:5060', text: msg('ACK sip:x@10.0.0.2 SIP/2.0', '1 ACK') });
  }
  return sipPcap(packets);
}

/** Defines the report tests for one browser engine (skipped, saying why, when it is not installed). */
export function reportTests(engine: Engine): void {
  const { path: executable, pkg } = EXECUTABLE[engine];
  const skip = existsSync(executable) ? false : `${executable} is missing (apt-get install -y ${pkg}): ${engine} tests skipped`;
  const work = mkdtempSync(join(tmpdir(), `sipv-report-${engine}-`));
  /** Screenshot names: Chromium's keep their first names, other engines add theirs. */
  const shot = (name: string): string => join(OUTPUT, engine === 'chromium' ? `${name}.png` : `${name}-${engine}.png`);
  let browser: Browser | undefined;

  before(async () => {
    if (skip) return;
    const { launch } = await import('puppeteer-core');
    const userDataDir = mkdtempSync(join(tmpdir(), `sipv-${engine}-`));
    browser = engine === 'chromium'
      ? await launch({
        executablePath: executable, headless: true, userDataDir,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      })
      : await launch({
        browser: 'firefox', executablePath: executable, headless: true, userDataDir,
        // puppeteer's Firefox profile already turns off updates, telemetry and remote services.
      });
  });

  after(async () => {
    await browser?.close();
  });

  /** Opens a report; every console error, page error and non-file request is collected. */
  async function open(file: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser!.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('request', (r) => { if (!/^(file|data|about):/.test(r.url())) problems.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // The model is inflated asynchronously; the page marks the body when it is drawn.
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    // The console is really listened to (a listener that never fires would hide errors).
    const probe = 'console error: sipv-probe';
    await page.evaluate(() => console.error('sipv-probe'));
    for (let i = 0; i < 100 && !problems.includes(probe); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(problems.includes(probe), `${engine}: console messages do not reach the test`);
    problems.splice(problems.indexOf(probe), 1);
    return { page, problems };
  }

  test(`${engine}: report of a capture with findings: table, ladder, findings, diff`, { skip }, async () => {
    const capture = join(CAPTURES, 'NormB-sipnab-b2bua-asterisk.pcapng');
    const out = join(work, 'b2bua.html');
    const r = sipv(['report', capture, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const calls = JSON.parse(sipv(['calls', capture, '--json']).stdout) as { index: number; callId: string; messages: number }[];
    const findings = JSON.parse(sipv(['diagnose', capture, '--json']).stdout) as { callId: string; messages: number[] }[];
    assert.ok(findings.length > 0, 'this capture has findings to link');

    const { page, problems } = await open(out);
    assert.equal(await page.$$eval('#calls-body tr', (rows) => rows.length), calls.length);
    assert.match(await page.$eval('#count', (e) => e.textContent ?? ''), new RegExp(`^${calls.length} of ${calls.length} calls$`));

    // The call with the most messages: one arrow per message.
    const big = calls.reduce((a, b) => (b.messages > a.messages ? b : a));
    await page.click(`#calls-body tr[data-call="${calls.indexOf(big)}"]`);
    await page.waitForSelector('#ladder svg');
    assert.equal(await page.$$eval('#ladder svg g.arrow', (g) => g.length), big.messages);
    assert.equal(await page.$$eval('ul.msgs li', (li) => li.length), big.messages);

    // Clicking an arrow shows that message with highlighted headers.
    await page.click('#ladder svg g.arrow[data-index="2"] text');
    assert.match(await page.$eval('#message pre.sip .sl', (e) => e.textContent ?? ''), /SIP\/2\.0/);
    const keyHeaders = await page.$$eval('#message pre.sip .key .hn', (e) => e.map((x) => x.textContent));
    assert.ok(keyHeaders.includes('Call-ID'), `highlighted headers: ${keyHeaders.join(', ')}`);

    // Two ticked messages give a side-by-side diff.
    const boxes = await page.$$('ul.msgs li input[type=checkbox]');
    // The first and the last message (0 and 1 are a retransmission pair here: identical).
    await boxes[0]!.click();
    await boxes[boxes.length - 1]!.click();
    await page.waitForSelector('#message table.diff');
    assert.ok((await page.$$eval('#message table.diff tr.chg', (r) => r.length)) > 0, 'the diff marks changed lines');

    // A call with findings: its evidence links select the named message.
    const withFinding = calls.find((c) => c.callId === findings[0]!.callId)!;
    await page.click(`#calls-body tr[data-call="${calls.indexOf(withFinding)}"]`);
    await page.waitForSelector('ul.findings a.ev');
    const target = findings[0]!.messages[findings[0]!.messages.length - 1]!;
    await page.click(`ul.findings a.ev[data-message="${target}"]`);
    assert.equal(await page.$eval('ul.msgs li.selected', (e) => e.getAttribute('data-index')), String(target));
    assert.equal(await page.$eval('#ladder svg g.arrow.selected', (e) => e.getAttribute('data-index')), String(target));

    // Sorting and filtering.
    await page.click('#calls-head th[data-key="messages"]');
    await page.click('#calls-head th[data-key="messages"]');
    const firstMsgs = await page.$eval('#calls-body tr td:nth-child(9)', (e) => Number(e.textContent));
    assert.equal(firstMsgs, big.messages);
    await page.type('#filter', big.callId.slice(0, 12));
    assert.equal(await page.$$eval('#calls-body tr', (rows) => rows.length), calls.filter((c) => c.callId.toLowerCase().includes(big.callId.slice(0, 12).toLowerCase())).length);

    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: shot('report-b2bua'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`${engine}: hostile header values stay text: no markup, no script, no escape`, { skip }, async () => {
    const evil = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script>';
    const pcap = sipPcap([
      { at: 1_700_000_000, from: '10.0.0.1:5060', to: '10.0.0.2:5060', text: [
        'INVITE sip:1002@10.0.0.2 SIP/2.0',
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1',
        `From: "${evil}" <sip:1001@10.0.0.1>;tag=1`,
        'To: <sip:1002@10.0.0.2>',
        `Call-ID: ${evil}@x`,
        'CSeq: 1 INVITE',
        `User-Agent: ${evil}`,
        'Content-Length: 0', '', ''].join('\n') },
      { at: 1_700_000_001, from: '10.0.0.2:5060', to: '10.0.0.1:5060', text: [
        `SIP/2.0 486 ${evil}`,
        'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1',
        `From: "${evil}" <sip:1001@10.0.0.1>;tag=1`,
        'To: <sip:1002@10.0.0.2>;tag=2',
        `Call-ID: ${evil}@x`,
        'CSeq: 1 INVITE',
        `Server: ${evil}`,
        'Content-Length: 0', '', ''].join('\n') },
    ]);
    const capture = join(work, 'evil.pcap');
    writeFileSync(capture, pcap);
    const out = join(work, 'evil.html');
    assert.equal(sipv(['report', capture, '-o', out]).code, 0);
    const html = readFileSync(out, 'utf8');
    assert.ok(!html.includes('<img src=x'), 'payload markup reached the HTML source');
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2, 'only the two script elements of the page close');

    const { page, problems } = await open(out);
    await page.click('#calls-body tr[data-call="0"]');
    await page.waitForSelector('#ladder svg');
    await page.click('#ladder svg g.arrow[data-index="1"] text');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.$$eval('img', (i) => i.length), 0);
    assert.equal(await page.$$eval('body script', (s) => s.length), 2);
    assert.ok((await page.$eval('#calls-body', (e) => e.textContent ?? '')).includes('</script><script>'), 'shown as text');
    assert.ok((await page.$eval('#ladder svg', (e) => e.textContent ?? '')).includes(`486 ${evil}`));
    assert.equal(await page.$$eval('#ladder svg g.arrow', (g) => g.length), 2);
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: shot('report-hostile'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`${engine}: 10,000 calls: a small file, all rows listed, a ladder on demand`, { skip, timeout: 180_000 }, async () => {
    const capture = join(work, 'many.pcap');
    writeFileSync(capture, manyCalls(10_000));
    const out = join(work, 'many.html');
    const r = sipv(['report', capture, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.length < 5_000_000, `report is ${html.length} bytes`);
    assert.ok(!html.includes('<svg'), 'no ladder is pre-rendered');
    const started = Date.now();
    const { page, problems } = await open(out);
    assert.ok(Date.now() - started < 20_000, `page ready after ${Date.now() - started} ms`);
    // Every call is in the table; rows are attached a page at a time as it scrolls.
    assert.equal(await page.$eval('#count', (e) => e.textContent), '10000 of 10000 calls');
    const firstPage = await page.$$eval('#calls-body tr', (rows) => rows.length);
    assert.ok(firstPage > 0 && firstPage < 10_000);
    await page.$eval('#tablewrap', (w) => { w.scrollTop = w.scrollHeight; w.dispatchEvent(new Event('scroll')); });
    assert.equal(await page.$$eval('#calls-body tr', (rows) => rows.length), 2 * firstPage, 'scrolling to the end attaches the next page');
    const sortStart = Date.now();
    await page.click('#calls-head th[data-key="callId"]');
    assert.ok(Date.now() - sortStart < 5_000, `sorting took ${Date.now() - sortStart} ms`);
    await page.type('#filter', 'call-9999@');
    assert.equal(await page.$$eval('#calls-body tr', (rows) => rows.length), 1);
    assert.match(await page.$eval('#summary', (e) => e.textContent ?? ''), /66\.7 %/);
    assert.match(await page.$eval('#summary', (e) => e.textContent ?? ''), /486 Busy Here3334/);
    await page.click('#calls-body tr[data-call="9999"]');
    await page.waitForSelector('#ladder svg');
    assert.equal(await page.$$eval('svg', (s) => s.length), 1, 'only the opened call has a ladder');
    assert.equal(await page.$$eval('#ladder svg g.arrow', (g) => g.length), 4);
    assert.deepEqual(problems, []);
    await page.close();
  });
}
