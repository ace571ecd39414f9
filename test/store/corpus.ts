/**
 * The inputs the store tests index: every public capture and the examples,
 * each content once (the corpus holds byte-identical copies, and a store
 * remembers files by content, so indexing a copy adds nothing while reading
 * it twice counts every message twice).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES, EXAMPLES } from '../helpers/paths.js';

export function distinctInputs(): string[] {
  const files = [
    ...readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng|gz|txt)$/.test(f)).sort().map((f) => join(CAPTURES, f)),
    ...['basic-call.pcap', 'nat-calls.pcap', 'nat-calls.pcap.gz'].map((f) => join(EXAMPLES, f)),
  ];
  const seen = new Set<string>();
  return files.filter((f) => {
    const hash = createHash('sha256').update(readFileSync(f)).digest('hex');
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
}
