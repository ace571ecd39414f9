/**
 * The store at scale: ClickHouse over its HTTP interface with the official
 * client. Written for the SQL of the oldest server we test against (Debian
 * bookworm's clickhouse-server 18.16): no query parameters (`{p:String}`
 * arrived in 19.x), no TTL clause, no TRUE literal.
 *
 * Layout: `messages` partitioned by capture day and ordered by (run,
 * run_call, seq), so one call's messages are a primary-key range, and a day
 * is dropped whole (`ALTER TABLE … DROP PARTITION`) for retention; `calls`
 * is a ReplacingMergeTree partitioned by month, ordered by (day, call_id), whose
 * `version` lets a call that continues in a later capture be replaced;
 * reads use FINAL. Inserts are batched. README.md tells how this maps onto a
 * cluster (Distributed tables over shards).
 *
 * User values reach SQL only through `literal()`: the one quoting function,
 * since this server version cannot take them as parameters.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { StoreError, type FindingRow, type FindingsInfo, type FindingsWriter, type IndexedFile, type ListQuery, type RunWriter, type StoreBackend, type StoreTotals } from './backend.js';
import type { SqlDialect, SqlFilter } from './filter-sql.js';
import { BRIEF_COLUMNS, CALL_BRIEF_COLUMNS, CALL_COLUMNS, MESSAGE_COLUMNS, type CallBrief, type CallPart, type CallRow, type MessageBrief, type MessageRow } from './rows.js';
import type { StoreUrl } from './url.js';

/** Messages per INSERT: big enough for ClickHouse's liking, small enough to bound memory. */
const MESSAGE_BATCH = 20_000;
const LOOKUP_BATCH = 5_000;
/** A writer row older than this (seconds) belongs to an indexer that died. */
const LOCK_STALE_S = 120;
/** How long an indexer waits for its turn before it gives up. */
const LOCK_WAIT_S = 30 * 60;

/** A ClickHouse string literal: quotes and backslashes escaped, control bytes as \xHH. */
export function literal(value: string): string {
  let out = "'";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + "'";
}

export const clickhouseDialect: SqlDialect = {
  true: '1',
  placeholder: (n) => `{p${n}}`,
  has: (col, p) => `has(${col}, ${p})`,
  hasPrefix: (col, p) => `arrayExists(x -> substring(x, 1, length(${p})) = ${p}, ${col})`,
  hasLower: (col, p) => `arrayExists(x -> lower(x) = ${p}, ${col})`,
  hasLowerPrefix: (col, p) => `arrayExists(x -> substring(lower(x), 1, length(${p})) = ${p}, ${col})`,
};

/** The filter's SQL with each placeholder replaced by its quoted value. */
export function bindLiterals(where: SqlFilter): string {
  return where.where.replace(/\{p(\d+)\}/g, (_, n: string) => literal(where.params[Number(n)]!));
}

function schema(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.files (hash String, name String, bytes UInt64, run UInt32, indexed_at DateTime DEFAULT now())
       ENGINE = ReplacingMergeTree ORDER BY hash`,
    `CREATE TABLE IF NOT EXISTS ${db}.calls (day Date, idx UInt64, call_id String, start_sec Int64, start_nsec UInt32,
       end_sec Int64, end_nsec UInt32, first_method Nullable(String), from_user String, to_user String, src_ip String,
       dst_ip String, messages UInt32, final_status Nullable(UInt16), retransmissions UInt32, duplicates UInt32,
       anomalies UInt32, src_ips Array(String), dst_ips Array(String), from_numbers Array(String),
       to_numbers Array(String), diversion Array(String), pai Array(String), ppi Array(String),
       header_names Array(String), version UInt32)
       ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(day) ORDER BY (day, call_id)`,
    `CREATE TABLE IF NOT EXISTS ${db}.call_parts (idx UInt64, run UInt32, run_call UInt64)
       ENGINE = MergeTree ORDER BY (idx, run)`,
    // Findings are written in generations: each index run adds one for the calls it touched (or all of
    // them); `diagnosed` says which generation judged a call last, and a generation counts once its
    // findings_sets row exists (see findings()).
    `CREATE TABLE IF NOT EXISTS ${db}.findings (gen UInt32, idx UInt64, pos UInt32, code String, severity String, finding String)
       ENGINE = MergeTree ORDER BY (idx, gen, pos)`,
    `CREATE TABLE IF NOT EXISTS ${db}.diagnosed (idx UInt64, gen UInt32) ENGINE = MergeTree ORDER BY (idx, gen)`,
    `CREATE TABLE IF NOT EXISTS ${db}.findings_sets (gen UInt32, run UInt32, region String, whole UInt8)
       ENGINE = MergeTree ORDER BY gen`,
    // Who is indexing: one live row per writer, refreshed while it runs (see takeLock).
    `CREATE TABLE IF NOT EXISTS ${db}.writers (holder String, host String, pid UInt32, at DateTime, live UInt8)
       ENGINE = ReplacingMergeTree(at) ORDER BY holder`,
    `CREATE TABLE IF NOT EXISTS ${db}.messages (day Date, run UInt32, run_call UInt64, seq UInt64, frame UInt64,
       sec Int64, nsec UInt32, src_ip String, src_port UInt16, dst_ip String, dst_port UInt16, transport String,
       hep Nullable(String), issues UInt32, method Nullable(String), status Nullable(UInt16), raw String)
       ENGINE = MergeTree PARTITION BY day ORDER BY (run, run_call, seq)`,
  ];
}

const num = (v: unknown): number => Number(v);

function dayOf(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 10);
}

function toCallRow(r: Record<string, unknown>): CallRow {
  return {
    ...toCallBrief(r),
    srcIps: r['src_ips'] as string[], dstIps: r['dst_ips'] as string[], fromNumbers: r['from_numbers'] as string[],
    toNumbers: r['to_numbers'] as string[], diversion: r['diversion'] as string[], pai: r['pai'] as string[],
    ppi: r['ppi'] as string[], headerNames: r['header_names'] as string[],
  };
}

function toCallBrief(r: Record<string, unknown>): CallBrief {
  return {
    idx: num(r['idx']), callId: r['call_id'] as string, startSec: num(r['start_sec']), startNsec: num(r['start_nsec']),
    endSec: num(r['end_sec']), endNsec: num(r['end_nsec']), firstMethod: r['first_method'] as string | null,
    fromUser: r['from_user'] as string, toUser: r['to_user'] as string, srcIp: r['src_ip'] as string, dstIp: r['dst_ip'] as string,
    messages: num(r['messages']), finalStatus: r['final_status'] === null ? null : num(r['final_status']),
    retransmissions: num(r['retransmissions']), duplicates: num(r['duplicates']), anomalies: num(r['anomalies']),
  };
}

const orNull = (v: unknown): number | null => (v === null ? null : num(v));

function toMessageRow(r: Record<string, unknown>): MessageRow {
  return {
    run: num(r['run']), runCall: num(r['run_call']), seq: num(r['seq']), frame: num(r['frame']), sec: num(r['sec']),
    nsec: num(r['nsec']), srcIp: r['src_ip'] as string, srcPort: num(r['src_port']), dstIp: r['dst_ip'] as string,
    dstPort: num(r['dst_port']), transport: r['transport'] as string, hep: r['hep'] as string | null,
    issues: num(r['issues']), method: r['method'] as string | null, status: orNull(r['status']),
    raw: Buffer.from(r['raw'] as string, 'hex'),
  };
}

function toMessageBrief(r: Record<string, unknown>): MessageBrief {
  return {
    idx: num(r['idx']), seq: num(r['seq']), sec: num(r['sec']), nsec: num(r['nsec']), srcIp: r['src_ip'] as string,
    srcPort: num(r['src_port']), dstIp: r['dst_ip'] as string, dstPort: num(r['dst_port']), transport: r['transport'] as string,
    method: r['method'] as string | null, status: orNull(r['status']),
    raw: r['raw'] === '' ? null : Buffer.from(r['raw'] as string, 'hex'),
  };
}

function callJson(c: CallRow, day: string, version: number): Record<string, unknown> {
  return {
    day, idx: c.idx, call_id: c.callId, start_sec: c.startSec, start_nsec: c.startNsec, end_sec: c.endSec, end_nsec: c.endNsec,
    first_method: c.firstMethod, from_user: c.fromUser, to_user: c.toUser, src_ip: c.srcIp, dst_ip: c.dstIp,
    messages: c.messages, final_status: c.finalStatus, retransmissions: c.retransmissions, duplicates: c.duplicates,
    anomalies: c.anomalies, src_ips: c.srcIps, dst_ips: c.dstIps, from_numbers: c.fromNumbers, to_numbers: c.toNumbers,
    diversion: c.diversion, pai: c.pai, ppi: c.ppi, header_names: c.headerNames, version,
  };
}

/** TabSeparated escaping over bytes: raw SIP is bytes, not always UTF-8, and JSON would re-encode it. */
function tsvBytes(b: Buffer): Buffer {
  let extra = 0;
  for (const x of b) if (x === 0x5c || x === 0x09 || x === 0x0a || x === 0x0d || x === 0x00) extra++;
  if (extra === 0) return b;
  const out = Buffer.allocUnsafe(b.length + extra);
  let o = 0;
  for (const x of b) {
    if (x === 0x5c) { out[o++] = 0x5c; out[o++] = 0x5c; }
    else if (x === 0x09) { out[o++] = 0x5c; out[o++] = 0x74; }
    else if (x === 0x0a) { out[o++] = 0x5c; out[o++] = 0x6e; }
    else if (x === 0x0d) { out[o++] = 0x5c; out[o++] = 0x72; }
    else if (x === 0x00) { out[o++] = 0x5c; out[o++] = 0x30; }
    else out[o++] = x;
  }
  return out;
}

const tsvText = (s: string): Buffer => tsvBytes(Buffer.from(s, 'utf8'));

function messageTsv(m: MessageRow): Buffer {
  const cells: Buffer[] = [
    Buffer.from(`${dayOf(m.sec)}\t${m.run}\t${m.runCall}\t${m.seq}\t${m.frame}\t${m.sec}\t${m.nsec}\t`),
    tsvText(m.srcIp), Buffer.from(`\t${m.srcPort}\t`), tsvText(m.dstIp), Buffer.from(`\t${m.dstPort}\t`), tsvText(m.transport),
    Buffer.from('\t'), m.hep === null ? Buffer.from('\\N') : tsvText(m.hep), Buffer.from(`\t${m.issues}\t`),
    m.method === null ? Buffer.from('\\N') : tsvText(m.method), Buffer.from(`\t${m.status ?? '\\N'}\t`), tsvBytes(m.raw), Buffer.from('\n'),
  ];
  return Buffer.concat(cells);
}

export async function openClickHouseStore(where: Extract<StoreUrl, { kind: 'clickhouse' }>, mode: 'read' | 'write'): Promise<StoreBackend> {
  const client = createClient({
    url: where.url,
    username: where.username ?? 'default',
    password: where.password ?? '',
    // The client's own log lines would land on our stderr; errors reach us as exceptions.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const db = where.database;
  try {
    if (mode === 'write') for (const sql of schema(db)) await client.command({ query: sql });
    const r = await client.query({ query: `EXISTS TABLE ${db}.calls`, format: 'JSONEachRow' });
    const [row] = await r.json<Record<string, unknown>>();
    if (Number(Object.values(row ?? {})[0]) !== 1) throw new StoreError(`no sipv store in ClickHouse database ${db} at ${where.url} (make one with sipv index)`);
  } catch (e) {
    await client.close();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`cannot open ClickHouse store ${where.url}/${db}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  return new ClickHouseStore(client, db);
}

class ClickHouseStore implements StoreBackend {
  readonly dialect = clickhouseDialect;

  constructor(private readonly client: ClickHouseClient, private readonly db: string) {}

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    const r = await this.client.query({ query: sql, format: 'JSONEachRow' });
    return r.json<Record<string, unknown>>();
  }

  async totals(): Promise<StoreTotals> {
    const db = this.db;
    const [c] = await this.rows(`SELECT count() AS n, sum(messages) AS m FROM ${db}.calls FINAL`);
    // Numbering continues past rows an interrupted run may have left (ClickHouse has no transactions).
    const [p] = await this.rows(`SELECT max(idx) AS idx, max(run) AS run, count() AS n FROM ${db}.call_parts`);
    const [m] = await this.rows(`SELECT max(seq) AS seq, max(run) AS run, count() AS n FROM ${db}.messages`);
    const [k] = await this.rows(`SELECT max(idx) AS idx, count() AS n FROM ${db}.calls`);
    const some = (r: Record<string, unknown> | undefined): boolean => Number(r?.['n'] ?? 0) > 0;
    return {
      calls: num(c!['n']),
      messages: num(c!['m']),
      nextIdx: Math.max(some(p) ? num(p!['idx']) + 1 : 0, some(k) ? num(k!['idx']) + 1 : 0),
      nextRun: Math.max(some(p) ? num(p!['run']) + 1 : 1, some(m) ? num(m!['run']) + 1 : 1),
      nextSeq: some(m) ? num(m!['seq']) + 1 : 0,
    };
  }

  async hasFile(hash: string): Promise<boolean> {
    return (await this.rows(`SELECT 1 AS x FROM ${this.db}.files WHERE hash = ${literal(hash)} LIMIT 1`)).length > 0;
  }

  async existing(callIds: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let i = 0; i < callIds.length; i += LOOKUP_BATCH) {
      const list = callIds.slice(i, i + LOOKUP_BATCH).map(literal).join(', ');
      for (const r of await this.rows(`SELECT call_id, any(idx) AS idx FROM ${this.db}.calls WHERE call_id IN (${list}) GROUP BY call_id`)) {
        found.set(r['call_id'] as string, num(r['idx']));
      }
    }
    return found;
  }

  /** Set while `exclusive` holds the writers row: beginRun then takes no lock of its own. */
  private held = false;

  async exclusive(onWait: (note: string) => void): Promise<() => Promise<void>> {
    const unlock = await this.takeLock(onWait);
    this.held = true;
    return async () => {
      this.held = false;
      await unlock();
    };
  }

  /**
   * Run, call and message numbers continue from max+1, so two indexers must not
   * run at once. ClickHouse has no transactions: each writer adds a live row
   * and backs off if it then sees another live one (two starting together both
   * back off, for a random while, and try again), so several capture boxes take
   * turns. A row not refreshed for LOCK_STALE_S is a writer that died.
   */
  private async takeLock(onWait: (note: string) => void = () => undefined): Promise<() => Promise<void>> {
    const { client, db } = this;
    const holder = randomUUID();
    const mark = (live: number): Promise<unknown> => client.insert({
      table: `${db}.writers`, format: 'JSONEachRow',
      values: [{ holder, host: hostname(), pid: process.pid, at: Math.floor(Date.now() / 1000), live }],
    });
    const deadline = Date.now() + LOCK_WAIT_S * 1000;
    for (let attempt = 0; ; attempt++) {
      await mark(1);
      const others = await this.rows(`SELECT host, pid, toString(at) AS since FROM ${db}.writers FINAL
        WHERE live = 1 AND holder != ${literal(holder)} AND at > now() - ${LOCK_STALE_S}`);
      if (others.length === 0) break;
      await mark(0);
      const o = others[0]!;
      const who = `${String(o['host'])} pid ${String(o['pid'])}, seen ${String(o['since'])}`;
      if (Date.now() > deadline) throw new StoreError(`another sipv index has been writing ClickHouse database ${db} for over ${LOCK_WAIT_S / 60} minutes (${who}); try again when it is done`);
      if (attempt === 0) onWait(`another sipv index is writing ClickHouse database ${db} (${who}): waiting for its turn`);
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
    }
    const beat = setInterval(() => { void mark(1).catch(() => undefined); }, LOCK_STALE_S * 250);
    beat.unref();
    return async () => {
      clearInterval(beat);
      await mark(0);
    };
  }

  async beginRun(): Promise<RunWriter> {
    const { client, db } = this;
    const unlock = this.held ? async (): Promise<void> => undefined : await this.takeLock();
    const totals = await this.totals();
    const run = totals.nextRun;
    let batch: Buffer[] = [];
    let pending: Promise<void> = Promise.resolve();
    let failed: unknown;
    const send = (): void => {
      if (batch.length === 0) return;
      const body = Buffer.concat(batch);
      batch = [];
      pending = pending.then(async () => {
        if (failed !== undefined) return;
        try {
          await client.insert({ table: `${db}.messages`, values: Readable.from([body], { objectMode: false }), format: 'TabSeparated' });
        } catch (e) {
          failed = e;
        }
      });
    };
    const flush = async (): Promise<void> => {
      send();
      await pending;
      if (failed !== undefined) throw failed;
    };
    const insertJson = async (table: string, values: Record<string, unknown>[]): Promise<void> => {
      for (let i = 0; i < values.length; i += MESSAGE_BATCH) {
        await client.insert({ table: `${db}.${table}`, values: values.slice(i, i + MESSAGE_BATCH), format: 'JSONEachRow' });
      }
    };
    return {
      addMessage: (row) => {
        batch.push(messageTsv(row));
        if (batch.length >= MESSAGE_BATCH) send();
      },
      flush,
      addCalls: (calls) => insertJson('calls', calls.map((c) => callJson(c, dayOf(c.startSec), run))),
      addParts: (parts: CallPart[]) => insertJson('call_parts', parts.map((p) => ({ idx: p.idx, run: p.run, run_call: p.runCall }))),
      replaceCall: async (row) => {
        // Same (day, call_id) key as the row it replaces, higher version: FINAL keeps only this one.
        const [old] = await this.rows(`SELECT toString(day) AS day, max(version) AS v FROM ${db}.calls WHERE idx = ${row.idx} GROUP BY day`);
        if (old === undefined) throw new StoreError(`call ${row.idx} vanished while indexing`);
        await insertJson('calls', [callJson(row, old['day'] as string, Math.max(run, num(old['v']) + 1))]);
      },
      addFiles: (files: IndexedFile[]) => insertJson('files', files.map((f) => ({ hash: f.hash, name: f.name, bytes: f.bytes, run: f.run }))),
      commit: async () => {
        await flush();
        await unlock();
      },
      rollback: async () => {
        batch = [];
        await pending;
        // Best effort: rows of this run are not read (no file row, no parts), but take them away.
        for (const t of ['messages', 'call_parts']) await client.command({ query: `ALTER TABLE ${db}.${t} DELETE WHERE run = ${run}` }).catch(() => undefined);
        await unlock().catch(() => undefined);
      },
    };
  }

  async listCalls(q: ListQuery): Promise<CallRow[]> {
    const order = q.order === 'callid' ? 'call_id, idx' : 'idx';
    let sql = `SELECT ${CALL_COLUMNS.join(', ')} FROM ${this.db}.calls FINAL WHERE ${bindLiterals(q.where)} ORDER BY ${order}`;
    if (q.limit !== undefined) sql += ` LIMIT ${q.offset ?? 0}, ${Math.trunc(q.limit)}`;
    else if (q.offset !== undefined) sql += ` LIMIT ${Math.trunc(q.offset)}, 18446744073709551615`;
    return (await this.rows(sql)).map(toCallRow);
  }

  async countCalls(where: SqlFilter): Promise<number> {
    const [r] = await this.rows(`SELECT count() AS n FROM ${this.db}.calls FINAL WHERE ${bindLiterals(where)}`);
    return num(r!['n']);
  }

  async callByIndex(idx: number): Promise<CallRow | undefined> {
    const [r] = await this.rows(`SELECT ${CALL_COLUMNS.join(', ')} FROM ${this.db}.calls FINAL WHERE idx = ${Math.trunc(idx)}`);
    return r === undefined ? undefined : toCallRow(r);
  }

  async callById(callId: string): Promise<CallRow | undefined> {
    const [r] = await this.rows(`SELECT ${CALL_COLUMNS.join(', ')} FROM ${this.db}.calls FINAL WHERE call_id = ${literal(callId)}`);
    return r === undefined ? undefined : toCallRow(r);
  }

  async messagesOf(idx: number): Promise<MessageRow[]> {
    const parts = await this.rows(`SELECT run, run_call FROM ${this.db}.call_parts WHERE idx = ${Math.trunc(idx)}`);
    if (parts.length === 0) return [];
    const keys = parts.map((p) => `(run = ${num(p['run'])} AND run_call = ${num(p['run_call'])})`).join(' OR ');
    const cols = MESSAGE_COLUMNS.map((c) => (c === 'raw' ? 'hex(raw) AS raw' : c)).join(', ');
    return (await this.rows(`SELECT ${cols} FROM ${this.db}.messages WHERE ${keys} ORDER BY seq`)).map(toMessageRow);
  }

  /** Streams a JSONEachRow result row by row. */
  private async each(sql: string, fn: (r: Record<string, unknown>) => void): Promise<void> {
    const result = await this.client.query({ query: sql, format: 'JSONEachRow' });
    for await (const batch of result.stream()) {
      for (const row of batch as { json<T>(): T }[]) fn(row.json<Record<string, unknown>>());
    }
  }

  /**
   * Messages of many calls: their (run, run_call) keys looked up first, then
   * the messages selected by key, which the primary key (run, run_call, seq)
   * finds without reading other calls' bytes.
   */
  async eachMessage(idxs: readonly number[] | null, fn: (idx: number, row: MessageRow) => void): Promise<void> {
    const cols = MESSAGE_COLUMNS.map((c) => (c === 'raw' ? 'hex(raw) AS raw' : c)).join(', ');
    if (idxs === null) {
      // 18.16: a JOIN takes a subquery on the right and USING; the right side (call parts) is the small one.
      await this.each(`SELECT idx, ${cols} FROM ${this.db}.messages ALL INNER JOIN (SELECT idx, run, run_call FROM ${this.db}.call_parts) USING (run, run_call)`,
        (r) => fn(num(r['idx']), toMessageRow(r)));
      return;
    }
    for (let i = 0; i < idxs.length; i += LOOKUP_BATCH) {
      const chunk = idxs.slice(i, i + LOOKUP_BATCH).map((x) => Math.trunc(x));
      const owner = new Map<string, number>();
      const byRun = new Map<number, number[]>();
      await this.each(`SELECT idx, run, run_call FROM ${this.db}.call_parts WHERE idx IN (${chunk.join(', ')})`, (r) => {
        const run = num(r['run']), runCall = num(r['run_call']);
        owner.set(`${run}/${runCall}`, num(r['idx']));
        let list = byRun.get(run);
        if (list === undefined) byRun.set(run, (list = []));
        list.push(runCall);
      });
      if (byRun.size === 0) continue;
      const where = [...byRun].map(([run, calls]) => `(run = ${run} AND run_call IN (${calls.join(', ')}))`).join(' OR ');
      await this.each(`SELECT ${cols} FROM ${this.db}.messages WHERE ${where}`, (r) => {
        fn(owner.get(`${num(r['run'])}/${num(r['run_call'])}`)!, toMessageRow(r));
      });
    }
  }

  async eachCallBrief(fn: (call: CallBrief) => void): Promise<void> {
    await this.each(`SELECT ${CALL_BRIEF_COLUMNS.join(', ')} FROM ${this.db}.calls FINAL ORDER BY idx`, (r) => fn(toCallBrief(r)));
  }

  async eachMessageBrief(rawMethod: string, fn: (message: MessageBrief) => void): Promise<void> {
    const cols = BRIEF_COLUMNS.join(', ');
    // An empty string for "no bytes": a stored message is never empty.
    await this.each(`SELECT idx, ${cols}, if(upper(ifNull(method, '')) = ${literal(rawMethod)}, hex(raw), '') AS raw
      FROM ${this.db}.messages ALL INNER JOIN (SELECT idx, run, run_call FROM ${this.db}.call_parts) USING (run, run_call)
      ORDER BY idx, seq`, (r) => fn(toMessageBrief(r)));
  }

  async lastRun(): Promise<number> {
    const [r] = await this.rows(`SELECT max(run) AS run, count() AS n FROM ${this.db}.call_parts`);
    return Number(r?.['n'] ?? 0) > 0 ? num(r!['run']) : 0;
  }

  /** The latest complete generation of findings. */
  private async findingsSet(): Promise<{ gen: number; info: FindingsInfo } | undefined> {
    const [r] = await this.rows(`SELECT gen, run, region FROM ${this.db}.findings_sets ORDER BY gen DESC LIMIT 1`);
    return r === undefined ? undefined : { gen: num(r['gen']), info: { run: num(r['run']), region: r['region'] as string } };
  }

  async findingsInfo(): Promise<FindingsInfo | undefined> {
    return (await this.findingsSet())?.info;
  }

  /** (idx, gen): the latest generation up to `gen` that judged each call. */
  private latestGen(gen: number, only = ''): string {
    return `SELECT idx, max(gen) FROM ${this.db}.diagnosed WHERE gen <= ${gen}${only} GROUP BY idx`;
  }

  /** A call's findings are those of the latest complete generation that judged it. */
  async findings(idxs: readonly number[] | null): Promise<FindingRow[]> {
    const set = await this.findingsSet();
    if (set === undefined) return [];
    const out: FindingRow[] = [];
    const chunks: (readonly number[] | null)[] = [];
    if (idxs === null) chunks.push(null);
    else for (let i = 0; i < idxs.length; i += LOOKUP_BATCH) chunks.push(idxs.slice(i, i + LOOKUP_BATCH));
    for (const chunk of chunks) {
      const only = chunk === null ? '' : ` AND idx IN (${chunk.map((i) => Math.trunc(i)).join(', ')})`;
      for (const r of await this.rows(`SELECT idx, pos, code, severity, finding FROM ${this.db}.findings
          WHERE (idx, gen) IN (${this.latestGen(set.gen, only)})${only} ORDER BY idx, pos`)) {
        out.push({ idx: num(r['idx']), pos: num(r['pos']), code: r['code'] as string, severity: r['severity'] as string, json: r['finding'] as string });
      }
    }
    return out.sort((a, b) => a.idx - b.idx || a.pos - b.pos);
  }

  /**
   * A new generation: findings inserted as they come, then the calls it judged
   * (`diagnosed`), then its findings_sets row — until that row exists readers
   * keep the previous generations, and an interrupted writer's rows are never
   * read (the next writer numbers past them). A generation that judged every
   * call makes the older ones unreadable: they are deleted.
   */
  async beginFindings(info: FindingsInfo, replace: readonly number[] | 'all'): Promise<FindingsWriter> {
    const { client, db } = this;
    const [g] = await this.rows(`SELECT max(gen) AS top FROM (SELECT gen FROM ${db}.findings_sets UNION ALL SELECT gen FROM ${db}.diagnosed UNION ALL SELECT gen FROM ${db}.findings)`);
    const gen = num(g?.['top'] ?? 0) + 1;
    const insert = async (table: string, values: Record<string, unknown>[]): Promise<void> => {
      for (let i = 0; i < values.length; i += MESSAGE_BATCH) {
        await client.insert({ table: `${db}.${table}`, values: values.slice(i, i + MESSAGE_BATCH), format: 'JSONEachRow' });
      }
    };
    return {
      add: (list) => insert('findings', list.map((f) => ({ gen, idx: f.idx, pos: f.pos, code: f.code, severity: f.severity, finding: f.json }))),
      commit: async () => {
        if (replace === 'all') await client.command({ query: `INSERT INTO ${db}.diagnosed SELECT idx, toUInt32(${gen}) AS gen FROM ${db}.calls FINAL` });
        else await insert('diagnosed', replace.map((idx) => ({ idx, gen })));
        await insert('findings_sets', [{ gen, run: info.run, region: info.region, whole: replace === 'all' ? 1 : 0 }]);
        if (replace === 'all') {
          for (const t of ['findings', 'diagnosed']) await client.command({ query: `ALTER TABLE ${db}.${t} DELETE WHERE gen < ${gen}` }).catch(() => undefined);
        }
        const [n] = await this.rows(`SELECT count() AS n FROM ${db}.findings WHERE (idx, gen) IN (${this.latestGen(gen)})`);
        return num(n?.['n'] ?? 0);
      },
      rollback: async () => {
        // Never read (no findings_sets row); take them away.
        for (const t of ['findings', 'diagnosed']) await client.command({ query: `ALTER TABLE ${db}.${t} DELETE WHERE gen = ${gen}` }).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
