/**
 * The frame → SIP message → call store path for frames that arrive one by
 * one (a live capture), the same decoders `load.ts` runs over files. A live
 * source never ends by itself, so `end()` is the moment TCP leftovers flush.
 */
import type { Frame } from '../capture/frame.js';
import type { CallStore } from '../calls/store.js';
import { PacketDecoder } from '../net/decode.js';
import { SipExtractor } from './extract.js';

export interface Feed {
  frame(f: Frame): void;
  end(): void;
  readonly decoder: PacketDecoder;
  readonly extractor: SipExtractor;
}

export function createFeed(store: CallStore, source: number): Feed {
  const decoder = new PacketDecoder();
  const extractor = new SipExtractor((m) => store.add({ ...m, seq: store.messagesSeen, source }));
  return {
    decoder,
    extractor,
    frame: (f) => decoder.push(f, (p) => extractor.push(p)),
    end: () => {
      decoder.end();
      extractor.end();
    },
  };
}
