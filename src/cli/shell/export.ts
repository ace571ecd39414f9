/**
 * The shell's `export FILE`: the conversations passing the filter, written by
 * the same code as `sipv export`. Text and JSON come from the kept messages;
 * pcap/pcapng read the loaded files a second time — the session knows which
 * file each message's `source` number is (every `load` continues the count) —
 * and merge the selected frames of several files by time. Calls seen by a live
 * capture have no file to copy frames from: those export as text or JSON only.
 * An existing FILE is refused unless `export FILE --force`, as `sipv export -o`.
 */
import { exportCalls } from '../export-run.js';
import { CliError } from '../io.js';
import { safeInline } from '../../core/sanitize.js';
// A cycle with commands.ts, harmless: ShellError is only used when a command runs.
import { ShellError, withMessages, type ShellEnv } from './commands.js';

export async function exportFiltered(env: ShellEnv, args: string[]): Promise<void> {
  // `--force` anywhere, as on the command line: an existing FILE is replaced only when asked.
  const force = args.includes('--force');
  const names = args.filter((a) => a !== '--force');
  if (names.length !== 1) throw new ShellError("export needs one file name, e.g. 'export calls.pcap', 'export calls.txt' or 'export calls.json' (--force replaces an existing file)");
  const out = names[0]!;
  try {
    await withMessages(env, env.session.visible());
    const r = await exportCalls(env.session.sources, env.session.visible(), out, { keylog: env.session.keylog, force });
    const what = r.format === 'pcap' || r.format === 'pcapng' ? `, ${r.packets} frames` : '';
    env.io.out(safeInline(`${r.calls} conversations (${r.messages} SIP messages${what}) written to ${out}`) + '\n');
  } catch (e) {
    if (e instanceof CliError) throw new ShellError(e.message);
    throw e;
  }
}
