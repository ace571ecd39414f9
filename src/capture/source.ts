/**
 * The one file in capture/ that touches the file system: streams a file (or stdin for
 * `-`) in 128 KiB chunks, unwraps gzip, detects the format from the content and feeds the
 * matching push decoder. Bad input never throws: an unreadable or empty file comes back as
 * `error` + `fatal`, a damaged gzip as a `gzip.truncated` issue after every frame before it.
 * Memory stays flat: only the decoder's partial record and the detection head are held.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { issue, type Issue } from '../core/issue.js';
import { createDecoder, detectFormat, DETECT_BYTES } from './detect.js';
import type { CaptureDecoder, FrameSink } from './frame.js';

export interface ReadOptions {
  /** Called after each chunk read from the file: compressed bytes so far, file size when known. */
  onProgress?(bytesRead: number, total: number | undefined): void;
  /** Day that time-of-day-only text dumps are placed on (default 1970-01-01 UTC). */
  textBaseDate?: Date;
  /** Each pcapng Decryption Secrets Block as it is read (TLS key logs, issue 14). */
  onSecrets?(s: { type: number; data: Buffer }): void;
  /**
   * Called before each further chunk is read, after the frames of the last one were
   * emitted; a promise holds reading until it settles (a reader that merges several
   * inputs keeps each one's backlog small), a rejection ends reading there.
   */
  pace?(): Promise<void> | undefined;
}

export interface ReadResult {
  /** `pcap`, `pcapng`, `text` or `unknown`. */
  format: string;
  compressed: boolean;
  /** Bytes given to the decoder (after decompression). */
  bytes: number;
  frames: number;
  issues: Issue[];
  fatal?: Issue;
  /** One sentence for the user when nothing could be read at all. */
  error?: string;
}

/**
 * A regular file's chunks, read synchronously: the file is usually in the page cache,
 * and a read through the thread pool left the decoder idle waiting for every chunk
 * (4–6 % of listing a 1 GB capture). Pipes and devices still stream.
 */
async function* readFileChunks(path: string): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafeSlow(CHUNK);
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) return;
      yield n === CHUNK ? chunk : chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Read size. Each chunk is a fresh buffer that lives while its packets are
 * decoded; at 1 MiB most outlived two young-generation collections and were
 * freed only at the next full one (tens of MB held at 1 GB of input). At
 * 128 KiB they die young; smaller costs more record splicing at chunk edges.
 */
const CHUNK = 1 << 17;

export async function readCapture(path: string, onFrame: FrameSink, opts: ReadOptions = {}): Promise<ReadResult> {
  const result: ReadResult = { format: 'unknown', compressed: false, bytes: 0, frames: 0, issues: [] };
  const fail = (code: string, sentence: string): ReadResult => {
    result.fatal = issue(code, sentence);
    result.error = sentence;
    return result;
  };
  let total: number | undefined;
  if (path !== '-') {
    try {
      const st = await stat(path);
      if (st.isDirectory()) return fail('capture.unreadable', `${path} is a directory, not a capture file`);
      if (st.isFile()) total = st.size;
    } catch (err) {
      return fail('capture.unreadable', describe(path, err));
    }
  }
  const raw: AsyncIterable<Buffer> = path === '-' ? process.stdin : total !== undefined ? readFileChunks(path) : createReadStream(path, { highWaterMark: CHUNK });
  const sink: FrameSink = (f) => {
    result.frames++;
    onFrame(f);
  };
  let read = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const c of raw) {
      read += c.length;
      opts.onProgress?.(read, total);
      yield c;
      const wait = opts.pace?.();
      if (wait !== undefined) await wait;
    }
  }
  try {
    const first = await take(counted());
    if (first.head.length === 0) return fail('capture.empty', `${path === '-' ? 'standard input' : path} is empty`);
    let chunks = first;
    if (detectFormat(first.head) === 'gzip') {
      result.compressed = true;
      // pipeline (not pipe) so a read error destroys the gunzip stream and reaches us.
      const gz = pipeline(Readable.from(replay(first)), createGunzip({ chunkSize: CHUNK }), () => {});
      chunks = await take(gz[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
    }
    const kind = detectFormat(chunks.head);
    const decoder = createDecoder(kind, { text: { baseDate: opts.textBaseDate }, pcapng: { onSecrets: opts.onSecrets } });
    if (!decoder) {
      if (chunks.head.length === 0) return fail('gzip.empty', `${path} is gzip-compressed but holds no data`);
      return fail('capture.unknown-format', `${path} is not a pcap, pcapng or tcpdump text capture`);
    }
    result.format = decoder.format;
    await feed(decoder, chunks, sink, result);
  } catch (err) {
    if (isZlibError(err)) {
      const sentence = `the gzip stream is damaged or cut short (${(err as Error).message})`;
      if (result.format === 'unknown') return fail('gzip.truncated', `${path}: ${sentence}`);
      result.issues.push(issue('gzip.truncated', `${sentence}; frames before it are kept`, result.bytes));
    } else if (read === 0) {
      return fail('capture.unreadable', describe(path, err));
    } else {
      result.issues.push(issue('capture.read-error', describe(path, err), read));
    }
  }
  return result;
}

/** Yields the detection head again, then the rest of the stream. */
async function* replay(c: Chunks): AsyncGenerator<Buffer> {
  yield c.head;
  if (c.done) return;
  for (let r = await c.rest.next(); !r.done; r = await c.rest.next()) yield r.value;
}

interface Chunks {
  /** At least DETECT_BYTES (or everything, if shorter). */
  head: Buffer;
  rest: AsyncIterator<Buffer>;
  done: boolean;
}

async function take(it: AsyncIterator<Buffer>): Promise<Chunks> {
  const parts: Buffer[] = [];
  let n = 0;
  let done = false;
  while (n < DETECT_BYTES) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value);
    n += r.value.length;
  }
  return { head: parts.length === 1 ? parts[0] : Buffer.concat(parts), rest: it, done };
}

async function feed(decoder: CaptureDecoder, chunks: Chunks, sink: FrameSink, result: ReadResult): Promise<void> {
  const finish = () => {
    decoder.end(sink);
    for (const i of decoder.issues) result.issues.push(i);
    result.fatal = decoder.fatal;
  };
  decoder.push(chunks.head, sink);
  result.bytes += chunks.head.length;
  try {
    while (!chunks.done && !decoder.fatal) {
      const r = await chunks.rest.next();
      if (r.done) break;
      result.bytes += r.value.length;
      decoder.push(r.value, sink);
    }
  } finally {
    finish();
  }
}

function isZlibError(err: unknown): boolean {
  return typeof (err as { errno?: unknown }).errno === 'number' && String((err as { code?: unknown }).code).startsWith('Z_');
}

function describe(path: string, err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return `${path} does not exist`;
  if (code === 'EACCES' || code === 'EPERM') return `${path} cannot be read: permission denied`;
  if (code === 'EISDIR') return `${path} is a directory, not a capture file`;
  return `${path} cannot be read: ${(err as Error).message}`;
}
