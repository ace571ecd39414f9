/**
 * The shared corpus manifest, and every place where our counts differ from
 * tshark 4.0.17's with the reason — each one a decode tshark misses or gets
 * wrong, proven by the `proof` check against the messages we found.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallStore } from '../../src/calls/store.js';
import type { InputReport } from '../../src/ingest/load.js';

import { CAPTURES } from '../helpers/paths.js';

export { CAPTURES };

export interface ManifestRow {
  file: string;
  sipMessages: number;
  callIds: number;
  features: string[];
}

export function readManifest(): ManifestRow[] {
  const lines = readFileSync(join(CAPTURES, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const head = lines[0]!.split('\t');
  const col = (name: string): number => head.indexOf(name);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    return {
      file: f[col('file')]!,
      sipMessages: Number(f[col('sip_messages')]),
      callIds: Number(f[col('call_ids')]),
      features: f[col('features')]!.split(','),
    };
  });
}

export interface Difference {
  messages: number;
  callIds: number;
  why: string;
  proof?: (store: CallStore, report: InputReport) => void | Promise<void>;
}

export const DIFFERENCES: Record<string, Difference> = {};

export { assert };
