/**
 * The whole pipeline over bytes held in memory, recording every message with
 * its frame: for tests that damage captures and check what survives.
 */
import { createDecoder, detectFormat } from '../../src/capture/detect.js';
import { CallStore } from '../../src/calls/store.js';
import { createFeed } from '../../src/ingest/feed.js';

export interface Seen {
  frame: number;
  raw: string;
}

export function pipeline(bytes: Buffer): { messages: Seen[]; ms: number } {
  const started = performance.now();
  const messages: Seen[] = [];
  const store = new CallStore();
  const add = store.add.bind(store);
  store.add = (m) => {
    messages.push({ frame: m.frame, raw: m.msg.raw.toString('latin1') });
    add(m);
  };
  const feed = createFeed(store, 0);
  const decoder = createDecoder(detectFormat(bytes.subarray(0, 4096)));
  if (decoder !== undefined) {
    // Odd chunk sizes, so record boundaries fall across chunks too.
    for (let off = 0; off < bytes.length; off += 7919) decoder.push(bytes.subarray(off, off + 7919), feed.frame);
    decoder.end(feed.frame);
  }
  feed.end();
  return { messages, ms: performance.now() - started };
}
