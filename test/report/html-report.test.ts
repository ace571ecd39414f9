/**
 * The HTML report in a real browser: headless Debian Chromium driven by
 * puppeteer-core (never a downloaded browser). The page must load with no
 * console errors and no network, list as many calls as `sipv calls`, draw a
 * clicked call's ladder with one arrow per message, link findings to their
 * evidence messages, diff two messages, and show hostile header values as
 * text. A screenshot goes to test-output/ for CI to keep.
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
import { sipPcap } from '../helpers/sip-pcap.js';

const CHROMIUM = '/usr/bin/chromium';
const NO_CHROMIUM = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install -y chromium): browser tests skipped`;
const OUTPUT = join(REPO, 'test-output');
const work = mkdtempSync(join(tmpdir(), 'sipv-report-'));

/** Runs the CLI from source (tsx) so the test needs no build. */
function sipv(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let browser: Browser | undefined;

before(async () => {
  if (NO_CHROMIUM) return;
  const { launch } = await import('puppeteer-core');
  browser = await launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: mkdtempSync(join(tmpdir(), 'sipv-chromium-')),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
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
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems };
}

test('report of a capture with findings: table, ladder, findings, diff', { skip: NO_CHROMIUM }, async () => {
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
  await page.screenshot({ path: join(OUTPUT, 'report-b2bua.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('hostile header values stay text: no markup, no script, no escape', { skip: NO_CHROMIUM }, async () => {
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
  await page.screenshot({ path: join(OUTPUT, 'report-hostile.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
