/**
 * Output files that commands write while they run (`capture -w`, `hep -w`):
 * opened before the work starts, so a bad path fails at once with one clear
 * line instead of after the user pressed Ctrl-C.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { CliError } from './io.js';

export async function openOutput(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e: NodeJS.ErrnoException) => reject(new CliError(`${path}: cannot write: ${e.code === 'EACCES' ? 'permission denied' : e.message}`)));
  });
  return stream;
}
