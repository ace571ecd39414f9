/**
 * The process seen by commands: where output goes and what the terminal can do.
 * Only `cli/` touches the process (STYLE.md principle 9); commands receive this
 * so the shell, subcommands and tests drive them alike.
 */
import { fstatSync, writeSync } from 'node:fs';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is a terminal: progress bars and live status are allowed. */
  errIsTty: boolean;
  /** stdout is a terminal: colours and width-fitting apply. */
  outIsTty: boolean;
  columns: number;
}

export function processIo(): Io {
  return {
    out: stdoutWriter(),
    err: (text) => { process.stderr.write(text); },
    errIsTty: process.stderr.isTTY === true,
    outIsTty: process.stdout.isTTY === true,
    columns: process.stdout.columns ?? 120,
  };
}

/**
 * Writes to stdout. Node writes to a pipe asynchronously and queues what the
 * reader has not taken yet: `sipv calls big.pcap --json | jq` held the whole
 * JSON (600 MB more at 1 GB of capture) while jq caught up. On a pipe or socket
 * this writer blocks instead — the memory stays what the calls need. Files and
 * terminals are already written synchronously by Node.
 */
export function stdoutWriter(fd = 1, stream: NodeJS.WriteStream = process.stdout): (text: string) => void {
  let kind: 'blocking' | 'stream' = 'stream';
  try {
    const st = fstatSync(fd);
    if (st.isFIFO() || st.isSocket()) kind = 'blocking';
  } catch { /* closed or odd stdout: leave it to the stream */ }
  if (kind === 'stream') return (text) => { stream.write(text); };
  return (text) => {
    // Something else queued output on the stream (readline, help text): stay behind it.
    if (stream.writableLength > 0) {
      stream.write(text);
      return;
    }
    writeBlocking(fd, Buffer.from(text));
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function writeBlocking(fd: number, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // libuv made the pipe non-blocking: wait for the reader a millisecond at a time.
      if (code === 'EAGAIN') Atomics.wait(pause, 0, 0, 1);
      // The reader is gone (`sipv calls x | head`): as the stream's EPIPE handler does.
      else if (code === 'EPIPE') process.exit(0);
      else throw e;
    }
  }
}

/** Exit codes of SPEC.md. */
export const Exit = { OK: 0, FOUND: 1, USAGE: 2 } as const;

/** A usage or input error that ends the command with one `sipv: …` line and exit 2. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = Exit.USAGE) {
    super(message);
  }
}
