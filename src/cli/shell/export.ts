/**
 * The shell's `export FILE`: the conversations passing the filter, written by
 * the same code as `sipv export`. Text and JSON come from the kept messages;
 * pcap/pcapng need the input files read a second time, which the shell cannot
 * do yet (each `load` numbers its inputs from 0, so a message does not say
 * which loaded file it came from): it points to `sipv export` instead.
 */
import { exportCalls, exportFormatOf } from '../export-run.js';
import { CliError } from '../io.js';
import { safeInline } from '../../core/sanitize.js';
// A cycle with commands.ts, harmless: ShellError is only used when a command runs.
import { ShellError, type ShellEnv } from './commands.js';

export async function exportFiltered(env: ShellEnv, args: string[]): Promise<void> {
  if (args.length !== 1) throw new ShellError("export needs one file name, e.g. 'export calls.txt' or 'export calls.json'");
  const out = args[0]!;
  try {
    const format = exportFormatOf(out);
    if (format === 'pcap' || format === 'pcapng') {
      throw new ShellError(`the shell cannot write ${format} yet; run: sipv export FILE... [--where …] -o ${out}`);
    }
    const r = await exportCalls([], env.session.visible(), out);
    env.io.out(safeInline(`${r.calls} conversations (${r.messages} SIP messages) written to ${out}`) + '\n');
  } catch (e) {
    if (e instanceof CliError) throw new ShellError(e.message);
    throw e;
  }
}
