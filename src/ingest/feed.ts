/**
 * The frame → SIP message → call store path, frame by frame: `load.ts` runs
 * it over files, live capture over a tcpdump child. A live source never ends
 * by itself, so `end()` is the moment TCP leftovers flush.
 */
import type { Frame } from '../capture/frame.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import type { CallStore } from '../calls/store.js';
import { PacketDecoder } from '../net/decode.js';
import type { KeyLog } from '../tls/keylog.js';
import { SipExtractor } from './extract.js';

export interface Feed {
  frame(f: Frame): void;
  end(): void;
  readonly decoder: PacketDecoder;
  readonly extractor: SipExtractor;
}

export function createFeed(store: CallStore, source: number, keylog?: KeyLog, limits: Limits = DEFAULT_LIMITS): Feed {
  const decoder = new PacketDecoder({ maxFragmentDatagrams: limits.maxFragments, maxFragmentBytes: limits.maxFragmentBytes });
  const extractor = new SipExtractor((m) => store.add(m), source, { keylog, limits, headerNames: store.gathersNames });
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
