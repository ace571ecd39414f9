/**
 * Runs the real built `sipv` binary (dist/src/cli/main.js) as a user would,
 * with stdin, and returns what it printed and its exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './paths.js';

export const BIN = join(REPO, 'dist', 'src', 'cli', 'main.js');
export const BIN_MISSING = existsSync(BIN) ? false : `no ${BIN}: run npm run build first`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function sipv(args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `sipv` running in the background: `done` resolves when it exits; `stderr` so far at any time. */
export function sipvAsync(args: string[]): { done: Promise<CliResult>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, stderr: () => stderr };
}
