#!/usr/bin/env node
/**
 * The shell half of issue 12's benchmark: drives the SIPvestigator shell's own
 * dispatcher (as a user at the prompt) over one capture and prints, as JSON,
 * how long `load` took, how soon `show conversations` wrote its first screen,
 * and how long filter changes over every loaded call took to answer.
 *
 *   node bench/shell-timing.mjs FILE      (after npm run build)
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { runCommand } = await import(join(REPO, 'dist', 'src', 'cli', 'shell', 'commands.js'));
const { Session } = await import(join(REPO, 'dist', 'src', 'cli', 'shell', 'session.js'));

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/shell-timing.mjs FILE\n');
  process.exit(2);
}
const session = new Session();
let first = null;
const io = { out: () => { first ??= performance.now(); }, err: () => {}, errIsTty: false, outIsTty: false, columns: 120 };

/** Runs one shell command; milliseconds to its end and to its first output. */
async function time(command) {
  first = null;
  const t0 = performance.now();
  await runCommand({ session, io }, command);
  const end = performance.now() - t0;
  return { command, ms: end, firstOutputMs: first === null ? null : first - t0 };
}

const steps = [];
steps.push(await time(`load '${file.replace(/'/g, `'\\''`)}'`));
steps.push(await time('show conversations'));
steps.push(await time('show conversations sorted'));
await time('filter');
// A number of the first call, so the filter picks a handful out of all of them.
const number = session.store.calls()[0]?.to ?? '0';
steps.push(await time(`add dstnum ${number}`));
steps.push(await time('set condition and'));
steps.push(await time('add has Content-Type'));
steps.push(await time('reset'));
steps.push(await time('add ip 10.0.0.0/8'));
await time('exit');
steps.push(await time('show conversations'));
process.stdout.write(JSON.stringify({ calls: session.store.size, steps, rssMb: process.memoryUsage().rss / 1048576 }) + '\n');
