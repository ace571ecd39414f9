/**
 * Command history kept across runs, one command a line, in
 * `$XDG_STATE_HOME/sipvestigator/history` (XDG Base Directory spec: history
 * is state, not configuration), else `~/.local/state/sipvestigator/history`.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const HISTORY_SIZE = 1000;

export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env['XDG_STATE_HOME'];
  const base = state !== undefined && state.startsWith('/') ? state : join(env['HOME'] ?? homedir(), '.local', 'state');
  return join(base, 'sipvestigator', 'history');
}

/** Newest first, as readline wants its `history` option. Missing file: no history yet. */
export function loadHistory(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l.trim() !== '').slice(-HISTORY_SIZE).reverse();
}

export class HistoryFile {
  private appended = 0;

  constructor(readonly path: string) {}

  /** Appends one command; throws the file system's error for the caller to report once. */
  add(line: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, line.replace(/\n/g, ' ') + '\n');
    // Trim now and then so the file does not grow without end.
    if (++this.appended % 200 === 0) {
      const kept = loadHistory(this.path).reverse();
      writeFileSync(this.path, kept.join('\n') + '\n');
    }
  }
}
