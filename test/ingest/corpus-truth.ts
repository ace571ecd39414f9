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

/** Reads a ground-truth TSV (tshark fields) into rows of columns. */
function truthRows(name: string, header = false): string[][] {
  const text = readFileSync(join(CAPTURES, 'groundtruth', name), 'utf8').trim();
  const rows = text === '' ? [] : text.split('\n').map((l) => l.split('\t'));
  return header ? rows.slice(1) : rows;
}

export const DIFFERENCES: Record<string, Difference> = {
  'CESNET-ipfixprobe-sip.pcap': {
    messages: 40,
    callIds: 15,
    why: 'tshark also counts 5 ICMP port-unreachable errors that quote an earlier INVITE; a quoted copy is an error report about a message, not a message on the wire, so it must not add to the call',
    proof: (store, report) => {
      assert.equal(report.net.icmpErrors, 5, 'the 5 extra tshark frames are ICMP errors');
      // Every Call-ID tshark saw only inside ICMP is still a call of ours: nothing is lost.
      const quoted = ['1005618626856601058973031', '537300951939020249636108', '861179810547912186475724', '250734243275519932787237', '134541037829722726870702'];
      for (const id of quoted) assert.ok(store.find(id), `call ${id} present`);
    },
  },
  'aboutsip-pkts-cool.pcap': {
    messages: 10,
    callIds: 5,
    why: 'tshark refuses the file (big-endian file header, little-endian records, NULL link type over raw IPv4, every record length 14 bytes too long); we recover every record, and it holds 10 SIP requests in 5 calls, not nothing',
    proof: (store, report) => {
      const raw = readFileSync(join(CAPTURES, 'aboutsip-pkts-cool.pcap')).toString('latin1');
      // Independent count straight from the bytes: request lines and distinct Call-ID values.
      const requestLines = raw.match(/(INVITE|BYE|ACK) sip:[^\r\n]* SIP\/2\.0\r\n/g) ?? [];
      const callIds = new Set([...raw.matchAll(/\r\nCall-ID: ([^\r\n]+)\r\n/g)].map((m) => m[1]));
      assert.equal(store.messagesSeen, requestLines.length);
      assert.equal(store.calls().length, callIds.size);
      assert.ok(report.issues.some((i) => i.code.startsWith('pcap.')), 'the damage is reported');
    },
  },
  'sipcapture-hep-wireshark-hep3_compressed.pcap.pcapng': {
    messages: 21,
    callIds: 1,
    why: 'tshark with hep.lua cannot inflate HEP3 compressed payload chunks (type 0x0010), so its SIP ground truth is empty; we inflate them, and match the inflated ground truth (.hep-inner.tsv) exactly',
    proof: (store) => {
      const inner = truthRows('sipcapture-hep-wireshark-hep3_compressed.pcap.pcapng.hep-inner.tsv', true);
      assert.equal(store.messagesSeen, inner.length);
      assert.deepEqual(store.calls().map((c) => c.callId), [...new Set(inner.map((r) => r[11]))]);
      const first = store.calls()[0]!;
      assert.equal(first.srcIp, inner[0]![2], 'addresses are the ones carried inside HEP');
    },
  },
};

export { assert };
