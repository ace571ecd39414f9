/**
 * The hostile-input limits of a run, in one place (STYLE.md principle 7: limits
 * are options, and hitting one is reported). Each limit has a default, a
 * command-line flag, and a warning that says what was cut and how much — never a
 * silent drop. The decoders keep their own option shapes; `ingest/` maps these
 * onto them, and counts what each limit cut as `LimitHit`s for the CLI to print.
 */

export interface Limits {
  /** SIP framer on streams and WebSocket messages: largest message held whole. */
  maxMessageBytes: number;
  /** SIP parser: headers parsed per message. */
  maxHeaders: number;
  /** SIP parser: bytes of start line + headers parsed per message. */
  maxHeaderBytes: number;
  /** TCP reassembly: out-of-order bytes held per direction behind a missing segment. */
  maxTcpBuffer: number;
  /** TCP reassembly: directions tracked at once. */
  maxTcpFlows: number;
  /** IP reassembly: datagrams waiting for fragments at once. */
  maxFragments: number;
  /** IP reassembly: fragment bytes held at once. */
  maxFragmentBytes: number;
  /** Call store: calls held in full; older ones are summarised. */
  maxCalls: number;
}

export type LimitKey = keyof Limits;

const KiB = 1024;
const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 256 * KiB,
  maxHeaders: 256,
  maxHeaderBytes: 64 * KiB,
  maxTcpBuffer: 1 * MiB,
  maxTcpFlows: 65536,
  maxFragments: 4096,
  maxFragmentBytes: 32 * MiB,
  maxCalls: 2_000_000,
});

export interface LimitSpec {
  key: LimitKey;
  flag: string;
  /** Sizes take k/M/G suffixes (powers of 1024); counts take plain numbers. */
  unit: 'bytes' | 'count';
  help: string;
  min: number;
}

/** Every limit's flag, in help order. */
export const LIMIT_SPECS: readonly LimitSpec[] = [
  { key: 'maxMessageBytes', flag: '--max-message-bytes', unit: 'bytes', min: 1024, help: 'largest SIP message on a stream or WebSocket' },
  { key: 'maxHeaders', flag: '--max-headers', unit: 'count', min: 8, help: 'headers parsed per SIP message' },
  { key: 'maxHeaderBytes', flag: '--max-header-bytes', unit: 'bytes', min: 1024, help: 'bytes of headers parsed per SIP message' },
  { key: 'maxTcpBuffer', flag: '--max-tcp-buffer', unit: 'bytes', min: 1024, help: 'out-of-order bytes held per TCP direction' },
  { key: 'maxTcpFlows', flag: '--max-tcp-flows', unit: 'count', min: 1, help: 'TCP directions tracked at once' },
  { key: 'maxFragments', flag: '--max-fragments', unit: 'count', min: 1, help: 'IP datagrams waiting for fragments at once' },
  { key: 'maxFragmentBytes', flag: '--max-fragment-bytes', unit: 'bytes', min: 1024, help: 'IP fragment bytes held at once' },
  { key: 'maxCalls', flag: '--max-calls', unit: 'count', min: 1, help: 'calls held in full; older ones are summarised' },
];

export function limitSpec(key: LimitKey): LimitSpec {
  return LIMIT_SPECS.find((s) => s.key === key)!;
}

export class LimitSyntaxError extends Error {}

const SUFFIX: Readonly<Record<string, number>> = Object.freeze({ '': 1, k: KiB, m: MiB, g: 1024 * MiB });

/**
 * `262144`, `256k`, `256KiB`, `1M`, `1.5MB`, `2_000_000`: a whole number ≥ the limit's minimum.
 * Anchored, no nested quantifiers: linear on any input.
 */
export function parseLimit(spec: LimitSpec, text: string): number {
  const m = /^\s*(\d[\d_,]*(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
  if (m === null || (spec.unit === 'count' && m[2] !== '' && m[2]!.toLowerCase() !== 'k' && m[2]!.toLowerCase() !== 'm')) {
    throw new LimitSyntaxError(`${spec.flag} must be a ${spec.unit === 'bytes' ? 'size like 65536, 64k or 1M' : 'whole number'}, not '${text}'`);
  }
  const scale = spec.unit === 'count' && m[2] !== '' ? (m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000) : SUFFIX[m[2]!.toLowerCase()]!;
  const value = Math.floor(Number(m[1]!.replace(/[_,]/g, '')) * scale);
  if (!Number.isSafeInteger(value) || value < spec.min) {
    throw new LimitSyntaxError(`${spec.flag} must be at least ${formatLimit(spec.key, spec.min)}, not '${text}'`);
  }
  return value;
}

/** A limit's value as the user would write it: `256 KiB`, `1 MiB`, `65536`. */
export function formatLimit(key: LimitKey, value: number): string {
  if (limitSpec(key).unit === 'count') return value.toLocaleString('en-US');
  if (value % MiB === 0) return `${value / MiB} MiB`;
  if (value % KiB === 0) return `${value / KiB} KiB`;
  return `${value} bytes`;
}

/** An amount of data cut: `812 bytes`, `1.2 MB` (decimal units, one decimal). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} byte${n === 1 ? '' : 's'}`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** What one limit cut in one input: `count` things (`noun`), `bytes` of them when known. */
export interface LimitHit {
  key: LimitKey;
  count: number;
  /** Singular and plural of what was cut, e.g. ['TCP gap', 'TCP gaps']. */
  noun: readonly [string, string];
  /** Bytes skipped or dropped, when the decoder knows. */
  bytes?: number;
  /** How the limit was passed, after the limit's value: `buffered behind a missing segment`. */
  why: string;
}

/** `3 TCP gaps (1.2 MB skipped): more than 1 MiB buffered behind a missing segment — raise --max-tcp-buffer` */
export function limitWarning(hit: LimitHit, limits: Limits): string {
  const spec = limitSpec(hit.key);
  const what = `${hit.count.toLocaleString('en-US')} ${hit.noun[hit.count === 1 ? 0 : 1]}`;
  const bytes = hit.bytes === undefined ? '' : ` (${formatBytes(hit.bytes)} skipped)`;
  return `${what}${bytes}: ${hit.why.replace('{limit}', formatLimit(hit.key, limits[hit.key]))} — raise ${spec.flag}`;
}
