/**
 * The process seen by commands: where output goes and what the terminal can do.
 * Only `cli/` touches the process (STYLE.md principle 9); commands receive this
 * so the shell, subcommands and tests drive them alike.
 */
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
    out: (text) => { process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
    errIsTty: process.stderr.isTTY === true,
    outIsTty: process.stdout.isTTY === true,
    columns: process.stdout.columns ?? 120,
  };
}

/** Exit codes of SPEC.md. */
export const Exit = { OK: 0, FOUND: 1, USAGE: 2 } as const;

/** A usage or input error that ends the command with one `sipv: …` line and exit 2. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = Exit.USAGE) {
    super(message);
  }
}
