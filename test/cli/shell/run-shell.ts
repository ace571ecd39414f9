/**
 * How the shell tests start the real program: the built binary when the tests
 * themselves run compiled (npm test), the TypeScript entry under tsx when they
 * run from source (the dev loop), so both always test the code beside them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from '../../helpers/paths.js';

const compiled = fileURLToPath(import.meta.url).includes(`${join('dist', 'test')}`);

export const SIPV: string[] = compiled
  ? [process.execPath, join(REPO, 'dist', 'src', 'cli', 'main.js')]
  : [process.execPath, '--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts')];

export function runSipv(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(SIPV[0]!, [...SIPV.slice(1), ...args], {
    cwd: REPO,
    input: opts.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
