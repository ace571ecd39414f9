/**
 * A progress bar on stderr while reading large inputs — only when stderr is a
 * terminal, never in pipes or logs. Redraws at most ten times a second and
 * only for inputs big enough to take a noticeable time.
 */
import { safeInline } from '../core/sanitize.js';
import type { Io } from './io.js';

const MIN_BYTES = 8 * 1024 * 1024;
const BAR = 30;

export interface Progress {
  update: (file: string, done: number, total: number | undefined) => void;
  finish: () => void;
}

export function progressBar(io: Io): Progress | undefined {
  if (!io.errIsTty) return undefined;
  let last = 0;
  let drawn = false;
  return {
    update(file, done, total) {
      const now = Date.now();
      if (now - last < 100 || (total !== undefined && total < MIN_BYTES) || done < MIN_BYTES / 4) return;
      last = now;
      const mb = `${(done / 1048576).toFixed(0)} MB`;
      const name = safeInline(file.length > 30 ? `…${file.slice(-29)}` : file);
      let line = `reading ${name} ${mb}`;
      if (total !== undefined && total > 0) {
        const ratio = Math.min(1, done / total);
        const fill = Math.round(ratio * BAR);
        line = `reading ${name} [${'#'.repeat(fill)}${'.'.repeat(BAR - fill)}] ${(ratio * 100).toFixed(0)}% ${mb}`;
      }
      io.err(`\r\x1b[K${line}`);
      drawn = true;
    },
    finish() {
      if (drawn) io.err('\r\x1b[K');
      drawn = false;
    },
  };
}
