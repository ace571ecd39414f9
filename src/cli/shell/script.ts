/**
 * The shell without a terminal: `-e "cmd; cmd"`, `-f SCRIPT` and commands
 * piped on stdin run the same commands as the prompt, with no prompt echoed,
 * no colours and no progress bars. A failed command prints
 * `sipv: SOURCE:LINE: what` and makes the exit code 2; the following
 * commands still run (a typo must not hide the rest of a report).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { safeInline } from '../../core/sanitize.js';
import { Exit } from '../io.js';
import { runCommand, ShellError, type ShellEnv } from './commands.js';
import { splitScript, type ScriptCommand } from './tokens.js';

export interface ScriptState {
  failed: boolean;
  exited: boolean;
}

/**
 * Runs parsed commands. For `-e` the position reported is the command's
 * number (they usually share one line); for a script file it is the line.
 */
export async function runScriptCommands(env: ShellEnv, commands: ScriptCommand[], label: string, state: ScriptState): Promise<void> {
  const numbered = label === '-e' ? commands.map((c, i) => ({ ...c, line: i + 1 })) : commands;
  for (const c of numbered) {
    if (state.exited) return;
    await runOne(env, c, label, state);
  }
}

/** Commands from a stream, one line at a time, so a long-lived pipe is served as it writes. */
export async function runScriptStream(env: ShellEnv, input: Readable, label: string, state: ScriptState): Promise<void> {
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    for (const c of splitScript(line)) {
      if (state.exited) break;
      await runOne(env, { text: c.text, line: lineNo }, label, state);
    }
    if (state.exited) break;
  }
  rl.close();
}

async function runOne(env: ShellEnv, c: ScriptCommand, label: string, state: ScriptState): Promise<void> {
  try {
    if ((await runCommand(env, c.text)) === 'exit') state.exited = true;
  } catch (e) {
    if (!(e instanceof ShellError)) throw e;
    state.failed = true;
    if (!e.printed) env.io.err(safeInline(`sipv: ${label}:${c.line}: ${e.message}`) + '\n');
  }
}

export function exitCode(state: ScriptState): number {
  return state.failed ? Exit.USAGE : Exit.OK;
}
