/**
 * Output files (`export -o`, `report -o`, `capture -w`, `hep -w`), written the
 * same careful way (issue 10):
 * - an existing file is not overwritten without `--force` (one line, exit 2,
 *   checked before any work starts);
 * - the bytes go to a hidden temporary file beside the output and are moved into
 *   place only when complete, so an interrupted or failed run never leaves a
 *   half-written output under the real name;
 * - streams are opened before the work starts, so a bad path fails at once
 *   instead of after the user pressed Ctrl-C.
 * Without `--force` the final move is a hard link, which fails rather than
 * replace a file that appeared while we were writing.
 */
import { createWriteStream, existsSync, linkSync, renameSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './io.js';

export interface OutputOptions {
  /** Replace an existing file. */
  force?: boolean;
}

function exists(path: string): CliError {
  return new CliError(`${path} exists: give --force to overwrite it`);
}

function cannotWrite(path: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  return new CliError(`${path}: cannot write: ${code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
}

/** Throws the one-line usage error when `path` exists and `--force` was not given. */
export function refuseOverwrite(path: string, options: OutputOptions = {}): void {
  if (options.force !== true && existsSync(path)) throw exists(path);
}

/** The hidden temporary name beside `path` (same directory, so the final rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.part-${process.pid}`);
}

/** Moves a complete temporary file to `path`; without `force`, never over an existing file. */
export function moveIntoPlace(temp: string, path: string, options: OutputOptions = {}): void {
  try {
    if (options.force === true) {
      renameSync(temp, path);
      return;
    }
    try {
      linkSync(temp, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // File systems without hard links: check, then rename (a narrow race, still no partial file).
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
      if (existsSync(path)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      renameSync(temp, path);
      return;
    }
    rmSync(temp, { force: true });
  } catch (e) {
    rmSync(temp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists(path);
    throw cannotWrite(path, e);
  }
}

/** A whole output at once (the HTML report): temporary file, then moved into place. */
export function writeOutputFile(path: string, data: string | Buffer, options: OutputOptions = {}): void {
  refuseOverwrite(path, options);
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, data);
  } catch (e) {
    rmSync(temp, { force: true });
    throw cannotWrite(path, e);
  }
  moveIntoPlace(temp, path, options);
}

/** A stream to a temporary file; `finish()` ends it and moves it into place. Destroyed unfinished, the temporary file is removed. */
export interface OutputStream extends WriteStream {
  finish(): Promise<void>;
  readonly finalPath: string;
}

export async function openOutput(path: string, options: OutputOptions = {}): Promise<OutputStream> {
  refuseOverwrite(path, options);
  const temp = tempPathFor(path);
  const stream = createWriteStream(temp, { flags: 'wx' }) as OutputStream;
  let finishing = false;
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) => reject(cannotWrite(path, e)));
  });
  stream.once('close', () => { if (!finishing) rmSync(temp, { force: true }); });
  Object.defineProperty(stream, 'finalPath', { value: path });
  stream.finish = async () => {
    finishing = true;
    if (!stream.closed) await new Promise<void>((resolve) => { stream.once('close', resolve); stream.end(); });
    moveIntoPlace(temp, path, options);
  };
  return stream;
}
