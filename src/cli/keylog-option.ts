/**
 * `--keylog FILE` (repeatable) and the `SSLKEYLOGFILE` environment variable:
 * the TLS secrets (NSS key log format) that let `sipv` read SIP over TLS
 * (issue 14). A `--keylog` that cannot be read is a usage error; an
 * `SSLKEYLOGFILE` that does not exist only earns a warning, since the variable is
 * often set for browsers and has nothing to do with this capture. Bad lines are
 * warnings; the good lines still count.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { safeInline } from '../core/sanitize.js';
import { KeyLog } from '../tls/keylog.js';
import { CliError, type Io } from './io.js';

/** Per key log, how many bad lines are printed before a "… and N more" line. */
const SHOWN_ISSUES = 3;

export interface KeylogFlags {
  keylog?: string[];
}

export function addKeylogOption(cmd: Command): Command {
  return cmd.option('--keylog <file>', 'TLS key log (SSLKEYLOGFILE format) to decrypt SIP over TLS; repeatable; default $SSLKEYLOGFILE',
    (v: string, acc: string[] = []) => [...acc, v]);
}

/** The key log of the flags and environment; undefined when neither names one. */
export function keylogFromFlags(flags: KeylogFlags, io: Io, env: NodeJS.ProcessEnv = process.env): KeyLog | undefined {
  const files = flags.keylog ?? [];
  const fromEnv = env['SSLKEYLOGFILE'];
  if (files.length === 0 && (fromEnv === undefined || fromEnv === '')) return undefined;
  const keylog = new KeyLog();
  readKeylogFiles(files, keylog);
  if (files.length === 0 && fromEnv !== undefined) {
    try {
      keylog.addText(readFileSync(fromEnv, 'latin1'), fromEnv);
    } catch (e) {
      io.err(safeInline(`sipv: warning: SSLKEYLOGFILE=${fromEnv} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); TLS stays encrypted`) + '\n');
    }
  }
  warnKeylogIssues(keylog, 0, io);
  return keylog;
}

/** Adds each file's secrets to `keylog`; a file that cannot be read is a CliError. */
export function readKeylogFiles(files: readonly string[], keylog: KeyLog): void {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch (e) {
      throw new CliError(`--keylog ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    keylog.addText(text, file);
  }
}

/** Warns about the bad key log lines from `from` on (a few, then a count). */
export function warnKeylogIssues(keylog: KeyLog, from: number, io: Io): void {
  const issues = keylog.issues.slice(from);
  for (const i of issues.slice(0, SHOWN_ISSUES)) io.err(safeInline(`sipv: warning: ${i.detail}`) + '\n');
  if (issues.length > SHOWN_ISSUES) io.err(`sipv: warning: … and ${issues.length - SHOWN_ISSUES} more bad key log lines\n`);
}
