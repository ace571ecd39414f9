/**
 * Writes the selected calls to a file: `sipv export` and the shell's `export FILE`
 * both come here. pcap/pcapng copy the original frames (a second pass over the
 * inputs keeps the frames the calls' messages came from), text is a tcpdump -A
 * style dump of the SIP messages, JSON is SPEC.md's `show --json` per call.
 * The output is written to a temporary name and renamed, so a failed export
 * never leaves a half-written file behind.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Call } from '../calls/call.js';
import { readCapture } from '../capture/source.js';
import { conversationToJson } from '../report/json.js';
import { LinkTypeConflict, OriginalPcapWriter } from '../report/export/pcap-out.js';
import { OriginalPcapngWriter } from '../report/export/pcapng-out.js';
import { needsNanoseconds, selectFrames } from '../report/export/selection.js';
import { TcpdumpTextWriter } from '../report/export/text-out.js';
import { CliError } from './io.js';

export type ExportFormat = 'pcap' | 'pcapng' | 'text' | 'json';

export function exportFormatOf(path: string): ExportFormat {
  const m = /\.(pcapng|pcap|txt|json)$/i.exec(path);
  if (m === null) throw new CliError(`cannot tell the export format from '${path}': the name must end in .pcap, .pcapng, .txt or .json`);
  const ext = m[1]!.toLowerCase();
  return ext === 'txt' ? 'text' : (ext as ExportFormat);
}

export interface ExportResult {
  format: ExportFormat;
  calls: number;
  messages: number;
  /** Frames (pcap/pcapng) or packets (text) written. */
  packets: number;
}

/** `files` are the inputs the calls were loaded from, in the same order (messages name them by position). */
export async function exportCalls(files: readonly string[], calls: readonly Call[], out: string): Promise<ExportResult> {
  const format = exportFormatOf(out);
  if ((format === 'pcap' || format === 'pcapng') && files.includes('-')) {
    throw new CliError('export to pcap/pcapng reads the inputs a second time, which stdin (-) cannot do: save it to a file first');
  }
  const temp = `${out}.part-${process.pid}`;
  const fd = openSync(temp, 'w');
  const write = (b: Buffer | string): void => { if (typeof b === 'string') writeSync(fd, b); else writeSync(fd, b); };
  let packets = 0;
  try {
    if (format === 'json') {
      write(JSON.stringify(calls.map(conversationToJson), null, 1) + '\n');
    } else if (format === 'text') {
      const w = new TcpdumpTextWriter(write);
      for (const call of calls) for (const m of call.kept ?? []) w.message(m);
      packets = w.packets;
    } else {
      packets = await copyFrames(files, calls, format, write);
    }
    closeSync(fd);
    renameSync(temp, out);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(temp, { force: true });
    if (e instanceof LinkTypeConflict) throw new CliError(`${out}: ${e.message}`);
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`${out}: cannot write (${code})`);
    throw e;
  }
  const messages = calls.reduce((n, c) => n + (c.kept?.length ?? 0), 0);
  return { format, calls: calls.length, messages, packets };
}

/** The second pass: inputs in FILE... order, each frame copied when it is selected. */
async function copyFrames(files: readonly string[], calls: readonly Call[], format: 'pcap' | 'pcapng', write: (b: Buffer) => void): Promise<number> {
  const selection = selectFrames(calls);
  const ns = needsNanoseconds(calls);
  const pcap = format === 'pcap' ? new OriginalPcapWriter(write, ns) : undefined;
  const pcapng = format === 'pcapng' ? new OriginalPcapngWriter(write, ns) : undefined;
  for (const [source, frames] of [...selection].sort((a, b) => a[0] - b[0])) {
    const file = files[source]!;
    const read = await readCapture(file, (f) => {
      if (!frames.has(f.index)) return;
      if (pcap) pcap.frame(f);
      else pcapng!.frame(f, source, file);
    });
    if (read.error !== undefined) throw new CliError(`${file}: ${read.error}`);
  }
  pcap?.end();
  return pcap?.frames ?? pcapng!.frames;
}
