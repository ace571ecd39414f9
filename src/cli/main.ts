#!/usr/bin/env node
/**
 * Entry point of `sipv` / `sipvestigator`: parses argv with commander, runs one
 * command, turns every failure into one `sipv: …` line and an exit code —
 * never a stack trace for bad input (SPEC.md, Exit codes).
 */
import { Command, CommanderError } from 'commander';
import { CliError, Exit, processIo, type Io } from './io.js';
import { safeInline } from '../core/sanitize.js';

const VERSION = '0.1.0';

type Register = (program: Command, io: Io, run: (p: Promise<number>) => void) => void;

/**
 * Every command and where it lives, in help order. A command's module (and all it
 * imports: decoders, renderers, database clients) is loaded only when that command
 * runs, so `sipv --version` and `sipv calls tiny.pcap` do not pay for the others.
 * Help, `help CMD` and unknown words (for the typo hint) load them all.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['calls', async () => (await import('./commands/calls.js')).registerCalls],
  ['show', async () => (await import('./commands/show.js')).registerShow],
  ['index', async () => (await import('./commands/index-store.js')).registerIndex],
  ['diagnose', async () => (await import('./commands/diagnose.js')).registerDiagnose],
  ['capture', async () => (await import('./commands/capture.js')).registerCapture],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['report', async () => (await import('./commands/report.js')).registerReport],
  ['hep', async () => (await import('./commands/hep.js')).registerHep],
  ['compare', async () => (await import('./commands/compare.js')).registerCompare],
  ['probe', async () => (await import('./commands/probe.js')).registerProbe],
  ['shell', async () => (await import('./commands/shell.js')).registerShell],
];

/** The commands to load for `argv` (node, script, words…): one, none or all. */
function commandsFor(argv: string[]): ReadonlyArray<readonly [string, () => Promise<Register>]> {
  const first = argv[2];
  if (first === '--version' || first === '-V') return [];
  const named = COMMANDS.filter(([name]) => name === first);
  return named.length > 0 ? named : COMMANDS;
}

export async function buildProgram(io: Io, done: (code: number) => void, argv: string[] = []): Promise<Command> {
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
  const wanted = argv.length > 0 ? commandsFor(argv) : COMMANDS;
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program, io, run);
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
  const program = await buildProgram(io, finish, argv);
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
