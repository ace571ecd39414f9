/**
 * Writes the selected calls to a file: `sipv export` and the shell's `export FILE`
 * both come here. pcap/pcapng copy the original frames (a second pass over the
 * inputs keeps the frames the calls' messages came from), text is a tcpdump -A
 * style dump of the SIP messages, JSON is SPEC.md's `show --json` per call.
 * The output is written to a temporary name and renamed, so a failed export
 * never leaves a half-written file behind.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Call } from '../calls/call.js';
import { LinkTypeConflict, savefileWriter } from '../capture/savefile-writer.js';
import { conversationToJson } from '../report/json.js';
import { mergeSelectedFrames } from '../report/export/merge.js';
import { needsNanoseconds, selectFrames } from '../report/export/selection.js';
import { TcpdumpTextWriter } from '../report/export/text-out.js';
import { addTlsConnections, decryptionSecretsBlock } from '../report/export/tls-connections.js';
import type { KeyLog } from '../tls/keylog.js';
import { CliError } from './io.js';
import { moveIntoPlace, refuseOverwrite, tempPathFor } from './output-file.js';
import { PcapWriter } from '../capture/pcap-writer.js';

export type ExportFormat = 'pcap' | 'pcapng' | 'text' | 'json';

export function exportFormatOf(path: string): ExportFormat {
  const m = /\.(pcapng|pcap|txt|json)$/i.exec(path);
  if (m === null) throw new CliError(`cannot tell the export format from '${path}': the name must end in .pcap, .pcapng, .txt or .json`);
  const ext = m[1]!.toLowerCase();
  return ext === 'txt' ? 'text' : (ext as ExportFormat);
}

export interface ExportOptions {
  /**
   * No capture files to copy frames from (a store): pcap/pcapng get frames rebuilt
   * around each message with its addresses, ports and time (see `rebuildFrames`).
   */
  rebuild?: boolean;
  /** The key log the calls were decrypted with: pcapng export embeds the lines for the exported TLS connections. */
  keylog?: KeyLog;
  /** Replace an existing `out` (`--force`, in the shell `export FILE --force`). */
  force?: boolean;
}

export interface ExportResult {
  format: ExportFormat;
  calls: number;
  messages: number;
  /** Frames (pcap/pcapng) or packets (text) written. */
  packets: number;
}

/**
 * `files` are the inputs the calls were loaded from, indexed by the messages'
 * `source`; `undefined` marks a source that is no file (a live capture), which
 * pcap/pcapng cannot read again.
 */
export async function exportCalls(files: readonly (string | undefined)[], calls: readonly Call[], out: string, options: ExportOptions = {}): Promise<ExportResult> {
  const format = exportFormatOf(out);
  if ((format === 'pcap' || format === 'pcapng') && options.rebuild !== true) {
    if (files.includes('-')) throw new CliError('export to pcap/pcapng reads the inputs a second time, which stdin (-) cannot do: save it to a file first');
    for (const source of selectFrames(calls).keys()) {
      if (files[source] === undefined) throw new CliError(`export to ${format} copies frames from the loaded files, and some selected conversations come from a live capture: export .txt or .json, or filter them out`);
    }
  }
  const force = { force: options.force ?? false };
  refuseOverwrite(out, force);
  const temp = tempPathFor(out);
  const fd = openSync(temp, 'wx');
  const write = (b: Buffer | string): void => { if (typeof b === 'string') writeSync(fd, b); else writeSync(fd, b); };
  let packets = 0;
  try {
    if (format === 'json') {
      write(JSON.stringify(calls.map(conversationToJson), null, 1) + '\n');
    } else if (format === 'text') {
      const w = new TcpdumpTextWriter(write);
      for (const call of calls) for (const m of call.kept ?? []) w.message(m);
      packets = w.packets;
    } else if (options.rebuild === true) {
      packets = rebuildFrames(calls, format, write);
    } else {
      packets = await copyFrames(files, calls, format, write, options.keylog);
    }
    closeSync(fd);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(temp, { force: true });
    if (e instanceof LinkTypeConflict) throw new CliError(`${out}: ${e.message}`);
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`${out}: cannot write (${code})`);
    throw e;
  }
  moveIntoPlace(temp, out, force);
  const messages = calls.reduce((n, c) => n + (c.kept?.length ?? 0), 0);
  return { format, calls: calls.length, messages, packets };
}

/** Largest UDP payload of an IPv4 datagram (65,535 − 20 − 8); larger messages go as TCP. */
const MAX_UDP_PAYLOAD = 65507;

/**
 * Frames rebuilt around the messages themselves, in arrival order across the calls
 * (as they were read: reading the file back gives the same calls, first messages
 * included): Ethernet / IPv4 or IPv6 / UDP or TCP with the stored addresses, ports
 * and times — what Wireshark and sngrep need to show the calls. Messages that kept
 * their own boundaries on the wire (UDP, SCTP, WebSocket) become one UDP datagram
 * each, since SIP over SCTP or WebSocket may omit Content-Length and a TCP stream
 * could not be cut back into messages; TCP and TLS (its plaintext) become TCP.
 */
function rebuildFrames(calls: readonly Call[], format: 'pcap' | 'pcapng', write: (b: Buffer) => void): number {
  const messages = calls.flatMap((c) => c.kept ?? []).sort((a, b) => a.seq - b.seq);
  const writer = new PcapWriter(write, format, { nanoseconds: needsNanoseconds(calls) });
  for (const m of messages) {
    const stream = m.transport === 'tcp' || m.transport === 'tls' || m.msg.raw.length > MAX_UDP_PAYLOAD;
    writer.packet({
      sec: m.sec, nsec: m.nsec, srcIp: m.srcIp, dstIp: m.dstIp, srcPort: m.srcPort, dstPort: m.dstPort,
      transport: stream ? 'tcp' : 'udp', payload: m.msg.raw,
    });
  }
  writer.end();
  return writer.stats.packets;
}

/**
 * The second pass: the selected frames of every input, merged by time (one input
 * keeps its own order), copied as they were captured.
 */
async function copyFrames(files: readonly (string | undefined)[], calls: readonly Call[], format: 'pcap' | 'pcapng', write: (b: Buffer) => void, keylog?: KeyLog): Promise<number> {
  const selection = selectFrames(calls);
  // SIP over TLS: the whole connections (handshake included), and for pcapng their secrets, so Wireshark decrypts.
  const tls = await addTlsConnections(files, calls, selection, keylog);
  const writer = savefileWriter(format, write, { nanoseconds: needsNanoseconds(calls) });
  if (format === 'pcapng' && tls.keyLines.length > 0) write(decryptionSecretsBlock(tls.keyLines));
  const inputs = [...selection].sort((a, b) => a[0] - b[0]).map(([source, frames]) => ({ source, file: files[source]!, frames }));
  const { reads } = await mergeSelectedFrames(inputs, (f, input) => writer.frame(f, input.source, input.file));
  reads.forEach((read, i) => { if (read.error !== undefined) throw new CliError(`${inputs[i]!.file}: ${read.error}`); });
  writer.end();
  return writer.frames;
}
