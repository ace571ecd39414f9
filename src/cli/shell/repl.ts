/**
 * The interactive shell on a terminal: node:readline with the context's
 * prompt, Tab completion, persistent history. Ctrl-D leaves; Ctrl-C clears
 * the line — or, while a command runs (a live capture), stops that command
 * and never the shell. Lines typed while a command runs wait their turn.
 */
import { createInterface, type Interface } from 'node:readline';
import pc from 'picocolors';
import { safeInline } from '../../core/sanitize.js';
import { Exit, type Io } from '../io.js';
import { runCommand, ShellError, type ShellEnv } from './commands.js';
import { complete } from './complete.js';
import { HISTORY_SIZE, HistoryFile, loadHistory } from './history.js';
import type { Session } from './session.js';

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  color: boolean;
  historyPath: string;
}

export function runRepl(session: Session, io: Io, options: ReplOptions): Promise<number> {
  const red = options.color ? pc.red : (s: string) => s;
  const history = new HistoryFile(options.historyPath);
  let historyBroken = false;
  const rl: Interface = createInterface({
    input: options.input,
    output: options.output,
    terminal: true,
    completer: (line: string) => complete(session, line),
    history: loadHistory(options.historyPath),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  const queue: string[] = [];
  let running: AbortController | undefined;
  let closed = false;

  const prompt = (): void => {
    rl.setPrompt(session.prompt());
    rl.prompt();
  };

  const remember = (line: string): void => {
    if (line.trim() === '' || historyBroken) return;
    try {
      history.add(line);
    } catch (e) {
      historyBroken = true;
      io.err(`% history is not saved: ${(e as Error).message}\n`);
    }
  };

  return new Promise<number>((resolve) => {
    const finish = (): void => {
      if (closed) return;
      closed = true;
      rl.close();
      resolve(Exit.OK);
    };

    const drain = async (): Promise<void> => {
      while (queue.length > 0 && !closed) {
        const line = queue.shift()!;
        remember(line);
        running = new AbortController();
        const env: ShellEnv = { session, io, signal: running.signal };
        try {
          if ((await runCommand(env, line)) === 'exit') return finish();
        } catch (e) {
          if (!(e instanceof ShellError)) throw e;
          if (!e.printed) io.err(red(safeInline(`% ${e.message}`)) + '\n');
        } finally {
          running = undefined;
        }
      }
      if (!closed) prompt();
    };

    rl.on('line', (line) => {
      queue.push(line);
      if (running === undefined && queue.length === 1) {
        drain().catch((e: unknown) => {
          io.err(`% internal error: ${e instanceof Error ? e.message : String(e)}\n`);
          prompt();
        });
      }
    });
    rl.on('SIGINT', () => {
      if (running !== undefined) {
        running.abort();
        return;
      }
      // Ctrl-C at the prompt throws the typed line away, like a Unix shell.
      options.output.write('^C\n');
      rl.write(null, { ctrl: true, name: 'e' });
      rl.write(null, { ctrl: true, name: 'u' });
      prompt();
    });
    rl.on('close', () => {
      // Ctrl-D: end the prompt line before the shell's own prompt returns.
      if (!closed) options.output.write('\n');
      closed = true;
      running?.abort();
      resolve(Exit.OK);
    });
    prompt();
  });
}
