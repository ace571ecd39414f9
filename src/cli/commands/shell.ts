/**
 * `sipv shell [FILE...] [-e CMDS] [-f SCRIPT]` and bare `sipv [FILE...]`: the
 * interactive SIPvestigator shell, or the same commands as a script. This is
 * where the shell meets the process: which of terminal / -e / -f / stdin
 * drives it, colours, the history path, the exit code.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, Exit, type Io } from '../io.js';
import { runCommand, ShellError } from '../shell/commands.js';
import { historyPath } from '../shell/history.js';
import { runRepl } from '../shell/repl.js';
import { exitCode, runScriptCommands, runScriptStream, type ScriptState } from '../shell/script.js';
import { Session } from '../shell/session.js';
import { closest } from '../shell/suggest.js';
import { splitScript } from '../shell/tokens.js';

export interface ShellFlags {
  e?: string[];
  f?: string[];
  color?: boolean;
}

export async function runShell(files: string[], flags: ShellFlags, io: Io): Promise<number> {
  const session = new Session();
  const scripted = flags.e !== undefined || flags.f !== undefined || process.stdin.isTTY !== true;
  // Scripts get plain output whatever the terminal: no progress bars or status lines.
  const shellIo: Io = scripted ? { ...io, errIsTty: false, outIsTty: false } : io;
  const state: ScriptState = { failed: false, exited: false };
  if (files.length > 0) {
    try {
      await runCommand({ session, io: shellIo }, ['load', ...files.map(quote)].join(' '));
    } catch (e) {
      if (!(e instanceof ShellError)) throw e;
      state.failed = true;
      if (!e.printed) io.err(`sipv: ${e.message}\n`);
    }
  }
  if (!scripted) {
    const color = flags.color ?? (io.outIsTty && !process.env['NO_COLOR']);
    const code = await runRepl(session, io, { input: process.stdin, output: process.stdout, color, historyPath: historyPath() });
    return state.failed ? Exit.USAGE : code;
  }
  const env = { session, io: shellIo };
  for (const text of flags.e ?? []) await runScriptCommands(env, splitScript(text), '-e', state);
  for (const path of flags.f ?? []) {
    if (path === '-') await runScriptStream(env, process.stdin, '-', state);
    else await runScriptCommands(env, splitScript(readScript(path)), path, state);
  }
  if (flags.e === undefined && flags.f === undefined) await runScriptStream(env, process.stdin, '-', state);
  return exitCode(state);
}

function readScript(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`${path}: ${code === 'ENOENT' ? 'no such script' : `cannot read the script (${(e as Error).message})`}`);
  }
}

/** Back into one command line, keeping file names with spaces or quotes whole. */
function quote(word: string): string {
  return /^[\w./~+:@%,=-]+$/.test(word) ? word : `"${word.replace(/["\\]/g, '\\$&')}"`;
}

const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

function shellOptions(cmd: Command): Command {
  return cmd
    .option('-e <commands>', "run shell commands separated by ';' or newlines, then exit (repeatable)", collect)
    .option('-f <script>', 'run shell commands from a file (- for stdin), then exit (repeatable)', collect)
    .option('--color', 'colour the interactive shell even when NO_COLOR is set')
    .option('--no-color', 'no colours');
}

const EXAMPLES = `
Examples:
  sipv trace.pcap                                   interactive shell with trace.pcap loaded
  sipv shell trace.pcap -e "filter; add dstnum 5660066; exit; show conversations sorted"
  sipv shell trace.pcap -f find-diversion.sipv
  echo "show conversations" | sipv shell trace.pcap`;

export function registerShell(program: Command, io: Io, run: (p: Promise<number>) => void): void {
  shellOptions(program.command('shell'))
    .description('the interactive SIPvestigator shell (or its commands as a script)')
    .argument('[file...]', 'captures to load first')
    .addHelpText('after', EXAMPLES)
    .action((files: string[], flags: ShellFlags) => run(runShell(files, flags, io)));
  // Bare `sipv [FILE...]` is the shell too, as the original's `sipvestigator` was. Its -e/-f
  // must not swallow a subcommand's own options, hence positional options.
  shellOptions(program.enablePositionalOptions())
    .argument('[file...]', 'captures to load into the shell')
    .action((files: string[], flags: ShellFlags) => {
      const first = files[0];
      const names = program.commands.map((c) => c.name());
      if (first !== undefined && !existsSync(first) && /^[a-z]+$/.test(first)) {
        const near = closest(first, names);
        run(Promise.reject(new CliError(`unknown command '${first}'${near ? ` — did you mean '${near}'?` : ''} (sipv --help lists them)`)));
        return;
      }
      run(runShell(files, flags, io));
    });
}
