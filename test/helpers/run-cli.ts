/**
 * Runs the real built `sipv` binary (dist/src/cli/main.js) as a user would,
 * with stdin, and returns what it printed and its exit code.
 */
import { spawnSync } from 'node:child_process';
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
