/**
 * stdout on a pipe: a slow reader must not make sipv queue its whole output in
 * memory (Node writes pipes asynchronously), and a reader that goes away
 * (`| head`) ends the writer quietly with exit 0.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { spawn } from 'node:child_process';

const IO_MODULE = new URL('../../src/cli/io.js', import.meta.url).href;
const MIB = 1 << 20;

/** A child that writes `chunks` distinct 64 KiB strings through stdoutWriter and reports its RSS growth. */
function writer(chunks: number) {
  const code = `
    const { stdoutWriter } = await import(process.argv[1]);
    const out = stdoutWriter();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < ${chunks}; i++) out(Buffer.alloc(65536, 97 + (i % 26)).toString('latin1'));
    process.stderr.write(JSON.stringify({ grew: process.memoryUsage().rss - before }));`;
  return spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code, IO_MODULE]);
}

test('a slow reader on a pipe holds the writer back instead of growing its memory', async () => {
  const child = writer(1024); // 64 MiB
  let received = 0, stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Nothing is read for a while: the pipe fills and the writer must wait.
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.stdout.on('data', (d: Buffer) => { received += d.length; });
  assert.equal(await closed, 0, stderr);
  assert.equal(received, 64 * MIB);
  const { grew } = JSON.parse(stderr) as { grew: number };
  assert.ok(grew < 32 * MIB, `RSS grew by ${(grew / MIB).toFixed(1)} MiB while writing 64 MiB to a slow pipe`);
});

test('a reader that closes the pipe early ends the writer with exit 0 and no trace', async () => {
  const child = writer(4096);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdout.once('data', () => child.stdout.destroy());
  assert.equal(await closed, 0);
  assert.equal(stderr, '');
});
