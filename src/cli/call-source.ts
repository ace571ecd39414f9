/**
 * `FILE...` or `--store URL`: the one place a read command turns its inputs
 * into a CallSource. Captures are read now (warnings on stderr, exit 2 for
 * damage, as before); a store is opened read-only and answers the same.
 *
 *   const { source, exitCode } = await openCallSource(files, flags.store, io, { keep });
 *   const calls = await source.list({ filter });
 *   const messages = await source.messages(call);
 *   await source.close();
 */
import type { CallStoreOptions } from '../calls/store.js';
import type { Limits } from '../core/limits.js';
import { StoreError } from '../store/backend.js';
import { openStore } from '../store/open.js';
import { memoryCallSource, storeCallSource, type CallSource } from '../store/source.js';
import type { KeyLog } from '../tls/keylog.js';
import { loadForCommand } from './inputs.js';
import { CliError, Exit, type Io } from './io.js';

export interface OpenedSource {
  source: CallSource;
  /** Exit.USAGE when an input file was unreadable or damaged. */
  exitCode: number;
}

/** Either FILE... or --store, never both, never neither. */
export function checkInputs(files: string[], store: string | undefined): void {
  if (store !== undefined && files.length > 0) throw new CliError('give capture files or --store URL, not both', Exit.USAGE);
  if (store === undefined && files.length === 0) throw new CliError('give capture files (or - for stdin), or --store URL', Exit.USAGE);
}

export async function openCallSource(files: string[], store: string | undefined, io: Io, storeOptions: CallStoreOptions = {}, keylog?: KeyLog, limits?: Limits): Promise<OpenedSource> {
  checkInputs(files, store);
  if (store === undefined) {
    const loaded = await loadForCommand(files, io, storeOptions, keylog, limits);
    return { source: memoryCallSource(loaded.store), exitCode: loaded.exitCode };
  }
  try {
    return { source: await storeCallSource(await openStore(store, 'read')), exitCode: Exit.OK };
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}
