#!/usr/bin/env node
/**
 * Entry point of `sipv` / `sipvestigator`: parses argv with commander, runs one
 * command, turns every failure into one `sipv: …` line and an exit code —
 * never a stack trace for bad input (SPEC.md, Exit codes).
 */
import { Command, CommanderError } from 'commander';
import { CliError, Exit, processIo, type Io } from './io.js';
import { registerCalls } from './commands/calls.js';
import { registerShow } from './commands/show.js';
import { registerIndex } from './commands/index-store.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerShell } from './commands/shell.js';
import { registerCapture } from './commands/capture.js';
import { registerExport } from './commands/export.js';
import { registerReport } from './commands/report.js';
import { registerHep } from './commands/hep.js';
import { registerCompare } from './commands/compare.js';
import { safeInline } from '../core/sanitize.js';

const VERSION = '0.1.0';

export function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command();
  program
    .name('sipv')
    .description('SIPvestigator: turn SIP captures into calls, filter to the one that failed, and say why.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      // Usage errors read like every other error: one `sipv: …` line.
      outputError: (text, write) => write(`sipv: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);
  const run = (p: Promise<number>): void => {
    p.then(done, (e: unknown) => done(fail(e, io)));
  };
  registerCalls(program, io, run);
  registerShow(program, io, run);
  registerIndex(program, io, run);
  registerDiagnose(program, io, run);
  registerCapture(program, io, run);
  registerExport(program, io, run);
  registerReport(program, io, run);
  registerHep(program, io, run);
  registerCompare(program, io, run);
  registerShell(program, io, run);
  return program;
}

function fail(e: unknown, io: Io): number {
  if (e instanceof CliError) {
    io.err(safeInline(`sipv: ${e.message}`) + '\n');
    return e.exitCode;
  }
  // A bug, not bad input: still one line, with a hint for the bug report.
  const message = e instanceof Error ? e.message : String(e);
  io.err(safeInline(`sipv: internal error: ${message} (set SIPV_DEBUG=1 for details)`) + '\n');
  if (process.env['SIPV_DEBUG'] && e instanceof Error) io.err(`${e.stack}\n`);
  return 70;
}

export async function main(argv: string[]): Promise<number> {
  const io = processIo();
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  const program = buildProgram(io, finish);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? Exit.OK : Exit.USAGE;
    }
    return fail(e, io);
  }
  return finished;
}

// stdout closed early (`sipv calls x | head`) is not an error worth a trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

main(process.argv).then((code) => { process.exitCode = code; });
