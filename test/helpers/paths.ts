/**
 * Where the repository and the read-only ../shared material are, whether tests
 * run compiled from dist/test or straight from test/ under tsx.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const REPO = findRoot(dirname(fileURLToPath(import.meta.url)));
export const SHARED = process.env['SIPV_SHARED'] ?? join(REPO, '..', 'shared');
export const CAPTURES = join(SHARED, 'captures');
export const EXAMPLES = join(REPO, 'examples');
export const FIXTURES = join(REPO, 'test', 'fixtures');
