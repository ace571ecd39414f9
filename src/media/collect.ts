/**
 * Reads the inputs once more for RTP, only for commands that judge media
 * (diagnose): the SIP pipeline drops non-SIP UDP, and keeping its hot path
 * free of RTP work matters more than one extra read. Only datagrams to or
 * from an SDP-announced endpoint are examined. stdin cannot be read twice, so
 * it is skipped (and said). `RtpStreams.push` has the shape of an extractor
 * `onOtherDatagram` hook, so a single-pass wiring is one line in ingest/.
 */
import { readCapture } from '../capture/source.js';
import { PacketDecoder } from '../net/decode.js';
import { MediaIndex } from './index.js';
import { RtpStreams } from './streams.js';

/**
 * `wanted`: the announced endpoints whose RTP is kept; undefined keeps RTP on
 * any port (a store's indexer, which has not parsed the SDP yet: the same
 * answers for every announced endpoint, a few more streams held).
 */
export async function collectRtp(files: readonly string[], wanted: ReadonlySet<string> | undefined): Promise<MediaIndex> {
  const streams = new RtpStreams(wanted);
  const skipped: string[] = [];
  if (wanted?.size === 0) return new MediaIndex([], []);
  for (const file of files) {
    if (file === '-') { skipped.push(file); continue; }
    const decoder = new PacketDecoder();
    const emit = (p: Parameters<RtpStreams['push']>[0]): void => streams.push(p);
    await readCapture(file, (f) => decoder.push(f, emit));
    decoder.end();
  }
  return new MediaIndex(streams.all(), skipped);
}
