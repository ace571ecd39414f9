/**
 * Drives the shell's dispatcher as a user at the prompt would and records the
 * screen: each prompt with its command, then what the command printed
 * (errors as `% …`, as the interactive shell shows them).
 */
import { runCommand, ShellError } from '../../../src/cli/shell/commands.js';
import { Session } from '../../../src/cli/shell/session.js';
import type { Io } from '../../../src/cli/io.js';

export interface Transcript {
  screen: string;
  session: Session;
  errors: number;
}

export async function play(commands: string[], session = new Session()): Promise<Transcript> {
  let screen = '';
  let errors = 0;
  const io: Io = { out: (t) => { screen += t; }, err: (t) => { screen += t; }, errIsTty: false, outIsTty: false, columns: 120 };
  for (const command of commands) {
    screen += `${session.prompt()}${command}\n`;
    try {
      if ((await runCommand({ session, io }, command)) === 'exit') break;
    } catch (e) {
      if (!(e instanceof ShellError)) throw e;
      errors++;
      if (!e.printed) screen += `% ${e.message}\n`;
    }
  }
  return { screen, session, errors };
}
