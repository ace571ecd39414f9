/**
 * The NSS key log format (SSLKEYLOGFILE), as OpenSSL, BoringSSL, NSS, GnuTLS and
 * Node write it and Wireshark reads it: one `LABEL <client random> <secret>` line
 * per secret, hex, keyed by the 32-byte ClientHello.random of the connection.
 * https://www.ietf.org/archive/id/draft-ietf-tls-keylogfile-02.html §3
 *
 * Only the labels that decrypt records are kept: `CLIENT_RANDOM` (the TLS 1.2
 * master secret) and the four TLS 1.3 handshake and application traffic secrets.
 * Exporter and early-data secrets, and the legacy `RSA` label, are recognised and
 * counted but not needed. A bad line is an issue with its line number; the
 * parser never throws, so one damaged line does not cost the others.
 *
 * A `KeyLog` may sit on a parent: a capture's own Decryption Secrets Blocks are
 * added to a child of the key log given on the command line, per input.
 */
import { issue, type Issue } from '../core/issue.js';

export const KEYLOG_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
] as const;
export type KeyLogLabel = (typeof KEYLOG_LABELS)[number];

/** Labels that are valid but carry nothing we decrypt with. */
const IGNORED_LABELS = new Set(['EXPORTER_SECRET', 'EARLY_EXPORTER_SECRET', 'CLIENT_EARLY_TRAFFIC_SECRET', 'RSA']);
/** Later application secrets (OpenSSL 3 logs `_N` after a KeyUpdate): we derive them from `_0` (RFC 8446 §7.2). */
const LATER_SECRET = /^(CLIENT|SERVER)_TRAFFIC_SECRET_(N|[1-9]\d*)$/;
const KEPT = new Set<string>(KEYLOG_LABELS);

/** The secrets of one connection, by label. */
export type ConnectionSecrets = Partial<Record<KeyLogLabel, Buffer>>;

export interface KeyLogStats {
  lines: number;
  secrets: number;
  ignored: number;
  bad: number;
}

const HEX = /^[0-9a-fA-F]+$/;

export class KeyLog {
  readonly issues: Issue[] = [];
  readonly stats: KeyLogStats = { lines: 0, secrets: 0, ignored: 0, bad: 0 };
  /** Hex client random (lower case) → its secrets. */
  private readonly byRandom = new Map<string, ConnectionSecrets>();

  /** Lookups fall back to `parent` (e.g. the command line's key log under a capture's DSBs). */
  constructor(private readonly parent?: KeyLog) {}

  /** Secrets known here or in a parent. */
  get size(): number {
    return this.stats.secrets + (this.parent?.size ?? 0);
  }

  /** Adds every line of a key log text; `origin` names it in issues (a file name). */
  addText(text: string, origin = 'key log'): void {
    let lineNo = 0;
    for (const raw of text.split('\n')) {
      lineNo++;
      const line = raw.trim();
      // §3: lines starting with '#' are comments; blank lines carry nothing.
      if (line === '' || line.startsWith('#')) continue;
      this.stats.lines++;
      const problem = this.addLine(line);
      if (problem !== undefined) {
        this.stats.bad++;
        this.issues.push(issue('keylog.bad-line', `${origin} line ${lineNo}: ${problem}`));
      }
    }
  }

  /** The secret for `label` of the connection whose ClientHello.random is `clientRandom`. */
  get(clientRandom: Buffer, label: KeyLogLabel): Buffer | undefined {
    return this.byRandom.get(clientRandom.toString('hex'))?.[label] ?? this.parent?.get(clientRandom, label);
  }

  /** Undefined when the line was used or ignored; otherwise why it is bad. */
  private addLine(line: string): string | undefined {
    const fields = line.split(/\s+/);
    const label = fields[0]!;
    if (IGNORED_LABELS.has(label) || LATER_SECRET.test(label)) {
      this.stats.ignored++;
      return undefined;
    }
    if (!KEPT.has(label)) return `unknown label ${JSON.stringify(label.slice(0, 40))}`;
    if (fields.length !== 3) return `${label} needs a client random and a secret, found ${fields.length - 1} fields`;
    const [, random, secret] = fields as [string, string, string];
    if (random.length !== 64 || !HEX.test(random)) return `${label}: the client random must be 64 hex digits`;
    if (secret.length % 2 !== 0 || !HEX.test(secret)) return `${label}: the secret is not hex`;
    const bytes = Buffer.from(secret, 'hex');
    // RFC 5246 §8.1: the master secret is always 48 bytes; TLS 1.3 secrets are one hash long.
    if (label === 'CLIENT_RANDOM' ? bytes.length !== 48 : bytes.length !== 32 && bytes.length !== 48) {
      return `${label}: a ${bytes.length}-byte secret has the wrong length`;
    }
    const key = random.toLowerCase();
    let entry = this.byRandom.get(key);
    if (entry === undefined) this.byRandom.set(key, (entry = {}));
    if (entry[label as KeyLogLabel] === undefined) this.stats.secrets++;
    entry[label as KeyLogLabel] = bytes;
    return undefined;
  }
}

/** pcapng Decryption Secrets Block type for a TLS key log (draft-ietf-opsawg-pcapng §4.7). */
export const DSB_TLS_KEY_LOG = 0x544c534b;
