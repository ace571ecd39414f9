/**
 * Every capture of ../shared/captures, damaged several ways, through the real
 * binary: exit 0 or 2, only `sipv: …` lines on stderr, never a stack trace,
 * valid JSON out — and (in process) every message before the damage found.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packetEnds } from '../helpers/capture-walk.js';
import { CAPTURES } from '../helpers/paths.js';
import { pipeline } from '../helpers/pipeline.js';
import { BIN_MISSING, sipv } from '../helpers/run-cli.js';

const files = existsSync(CAPTURES) ? readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

/** Each damage keeps the first `at` bytes intact; `at` is a third into the file. */
const DAMAGES: Record<string, (b: Buffer, at: number) => Buffer> = {
  'cut in the middle': (b, at) => b.subarray(0, at),
  'bytes flipped': (b, at) => {
    const out = Buffer.from(b);
    for (let i = at; i < out.length; i += 97) out[i] ^= 0x5a;
    return out;
  },
  'a block zeroed': (b, at) => {
    const out = Buffer.from(b);
    out.fill(0, at, Math.min(out.length, at + 512));
    return out;
  },
  'garbage inserted': (b, at) => Buffer.concat([b.subarray(0, at), Buffer.from('\xff\xfe GARBAGE \x00\x01'.repeat(20), 'latin1'), b.subarray(at)]),
  'a range duplicated': (b, at) => Buffer.concat([b.subarray(0, at), b.subarray(at, at + 1500), b.subarray(at)]),
};

for (const [name, hurt] of Object.entries(DAMAGES)) {
  test(`corrupt corpus (${name}): one clear line per damaged file, no trace, messages before the damage kept`, { skip: BIN_MISSING || (files.length === 0 && 'no shared corpus') }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipv-corrupt-'));
    try {
      const paths: string[] = [];
      for (const f of files) {
        const original = readFileSync(join(CAPTURES, f));
        const at = Math.floor(original.length / 3);
        const damaged = hurt(original, at);
        const path = join(dir, f);
        writeFileSync(path, damaged);
        paths.push(path);
        const ends = packetEnds(original);
        if (ends === undefined) continue; // big-endian or odd files: covered by the CLI run below
        const whole = ends.filter((e) => e <= at).length;
        const before = pipeline(original).messages.filter((m) => m.frame <= whole);
        const after = new Set(pipeline(damaged).messages.map((m) => `${m.frame}|${m.raw}`));
        for (const m of before) assert.ok(after.has(`${m.frame}|${m.raw}`), `${f}: message of frame ${m.frame} lost`);
      }
      const r = sipv(['calls', ...paths, '--json']);
      assert.ok(r.code === 0 || r.code === 2, `exit ${r.code}`);
      assert.doesNotMatch(r.stderr, /^\s+at |internal error|TypeError|RangeError/m, 'no crash, no trace');
      for (const line of r.stderr.trim().split('\n').filter(Boolean)) assert.match(line, /^sipv: /, line);
      assert.ok(Array.isArray(JSON.parse(r.stdout)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
