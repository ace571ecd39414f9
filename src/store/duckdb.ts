/**
 * The embedded store: one DuckDB file, no server. Calls are one row each with
 * their facts as VARCHAR[] columns; messages are rows keyed by (run,
 * run_call) and appended in arrival order, so DuckDB's per-row-group min/max
 * (zone maps) find one call's messages without an index to maintain.
 * Messages are committed as they are appended (every FLUSH_ROWS), so the
 * run's bytes never sit in one transaction's memory; the run becomes visible
 * only with its calls, call_parts and files, written in one final
 * transaction. An interrupted `sipv index` leaves messages no call points
 * to: invisible, and deleted by the next writer before it numbers its run.
 * DuckDB lets one process write a file (and none read it meanwhile): a
 * second indexer is refused with a clear message.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, LIST, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { StoreError, type FindingRow, type FindingsInfo, type FindingsWriter, type IndexedFile, type ListQuery, type RunWriter, type StoreBackend, type StoreTotals } from './backend.js';
import type { SqlDialect, SqlFilter } from './filter-sql.js';
import { BRIEF_COLUMNS, CALL_BRIEF_COLUMNS, CALL_COLUMNS, MESSAGE_COLUMNS, type CallBrief, type CallPart, type CallRow, type MessageBrief, type MessageRow } from './rows.js';

const SCHEMA_VERSION = '3';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (hash VARCHAR, name VARCHAR, bytes BIGINT, run INTEGER, indexed_at TIMESTAMP)`,
  `CREATE TABLE IF NOT EXISTS calls (idx BIGINT, call_id VARCHAR, start_sec BIGINT, start_nsec INTEGER,
     end_sec BIGINT, end_nsec INTEGER, first_method VARCHAR, from_user VARCHAR, to_user VARCHAR,
     src_ip VARCHAR, dst_ip VARCHAR, messages INTEGER, final_status INTEGER, retransmissions INTEGER,
     duplicates INTEGER, anomalies INTEGER, src_ips VARCHAR[], dst_ips VARCHAR[], from_numbers VARCHAR[],
     to_numbers VARCHAR[], diversion VARCHAR[], pai VARCHAR[], ppi VARCHAR[], header_names VARCHAR[])`,
  `CREATE TABLE IF NOT EXISTS call_parts (idx BIGINT, run INTEGER, run_call BIGINT)`,
  `CREATE TABLE IF NOT EXISTS findings (idx BIGINT, pos INTEGER, code VARCHAR, severity VARCHAR, finding VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS messages (run INTEGER, run_call BIGINT, seq BIGINT, frame BIGINT, sec BIGINT,
     nsec INTEGER, src_ip VARCHAR, src_port INTEGER, dst_ip VARCHAR, dst_port INTEGER, transport VARCHAR,
     hep VARCHAR, issues INTEGER, method VARCHAR, status INTEGER, raw BLOB)`,
];

export const duckdbDialect: SqlDialect = {
  true: 'TRUE',
  placeholder: (n) => `$${n + 1}`,
  has: (col, p) => `list_contains(${col}, ${p})`,
  hasPrefix: (col, p) => `len(list_filter(${col}, x -> starts_with(x, ${p}))) > 0`,
  hasLower: (col, p) => `len(list_filter(${col}, x -> lower(x) = ${p})) > 0`,
  hasLowerPrefix: (col, p) => `len(list_filter(${col}, x -> starts_with(lower(x), ${p}))) > 0`,
};

const STRING_LIST = LIST(VARCHAR);
/** Message rows per appender flush, each flush a commit: one DuckDB row group (measured: 16k-row commits cost 3x the time). */
const FLUSH_ROWS = 122_880;
/** DuckDB's buffer pool while indexing. */
const WRITER_MEMORY = '256MB';
const SELECT_CALL = `SELECT ${CALL_COLUMNS.join(', ')} FROM calls`;
const SELECT_MESSAGE = `SELECT ${MESSAGE_COLUMNS.map((c) => `m.${c}`).join(', ')} FROM messages m`;

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const strs = (v: unknown): string[] => (v as string[] | null) ?? [];

function toCallBrief(r: unknown[]): CallBrief {
  return {
    idx: num(r[0]), callId: r[1] as string, startSec: num(r[2]), startNsec: num(r[3]), endSec: num(r[4]), endNsec: num(r[5]),
    firstMethod: r[6] as string | null, fromUser: r[7] as string, toUser: r[8] as string, srcIp: r[9] as string, dstIp: r[10] as string,
    messages: num(r[11]), finalStatus: r[12] === null ? null : num(r[12]), retransmissions: num(r[13]), duplicates: num(r[14]),
    anomalies: num(r[15]),
  };
}

function toCallRow(r: unknown[]): CallRow {
  return {
    ...toCallBrief(r), srcIps: strs(r[16]), dstIps: strs(r[17]), fromNumbers: strs(r[18]), toNumbers: strs(r[19]),
    diversion: strs(r[20]), pai: strs(r[21]), ppi: strs(r[22]), headerNames: strs(r[23]),
  };
}

const orNull = (v: unknown): number | null => (v === null ? null : num(v));

function toMessageRow(r: unknown[]): MessageRow {
  return {
    run: num(r[0]), runCall: num(r[1]), seq: num(r[2]), frame: num(r[3]), sec: num(r[4]), nsec: num(r[5]),
    srcIp: r[6] as string, srcPort: num(r[7]), dstIp: r[8] as string, dstPort: num(r[9]), transport: r[10] as string,
    hep: r[11] as string | null, issues: num(r[12]), method: r[13] as string | null, status: orNull(r[14]),
    raw: Buffer.from(r[15] as Uint8Array),
  };
}

/** Row of SELECT_BRIEF: the call index, BRIEF_COLUMNS, then raw or NULL. */
function toMessageBrief(r: unknown[]): MessageBrief {
  return {
    idx: num(r[0]), seq: num(r[1]), sec: num(r[2]), nsec: num(r[3]), srcIp: r[4] as string, srcPort: num(r[5]),
    dstIp: r[6] as string, dstPort: num(r[7]), transport: r[8] as string, method: r[9] as string | null, status: orNull(r[10]),
    raw: r[11] === null ? null : Buffer.from(r[11] as Uint8Array),
  };
}

/**
 * The list columns travel as one VARCHAR each, items joined by U+001F, and
 * become VARCHAR[] in one INSERT … SELECT: appending a LIST value creates a
 * native value per item that is freed only when V8 collects its wrapper —
 * measured on 26k calls: 7 s and 400 MB; 270k calls: minutes and gigabytes.
 * NULL is the empty list. A row whose items hold U+001F themselves goes the
 * slow way (appendList) straight into `calls`.
 */
const SEP = '\x1f';
const LIST_COLUMNS = ['src_ips', 'dst_ips', 'from_numbers', 'to_numbers', 'diversion', 'pai', 'ppi', 'header_names'] as const;
const STAGED_CALLS = `CREATE OR REPLACE TEMP TABLE staged_calls AS SELECT ${CALL_COLUMNS.map((c) => ((LIST_COLUMNS as readonly string[]).includes(c)
  ? `NULL::VARCHAR AS ${c}` : c)).join(', ')} FROM calls LIMIT 0`;
const FROM_STAGED = `INSERT INTO calls SELECT ${CALL_COLUMNS.map((c) => ((LIST_COLUMNS as readonly string[]).includes(c)
  ? `CASE WHEN ${c} IS NULL THEN []::VARCHAR[] ELSE string_split(${c}, chr(31)) END` : c)).join(', ')} FROM staged_calls ORDER BY idx`;

const callLists = (c: CallRow): string[][] => [c.srcIps, c.dstIps, c.fromNumbers, c.toNumbers, c.diversion, c.pai, c.ppi, c.headerNames];

function appendCallScalars(a: DuckDBAppender, c: CallRow): void {
  a.appendBigInt(BigInt(c.idx)); a.appendVarchar(c.callId);
  a.appendBigInt(BigInt(c.startSec)); a.appendInteger(c.startNsec); a.appendBigInt(BigInt(c.endSec)); a.appendInteger(c.endNsec);
  if (c.firstMethod === null) a.appendNull(); else a.appendVarchar(c.firstMethod);
  a.appendVarchar(c.fromUser); a.appendVarchar(c.toUser); a.appendVarchar(c.srcIp); a.appendVarchar(c.dstIp);
  a.appendInteger(c.messages);
  if (c.finalStatus === null) a.appendNull(); else a.appendInteger(c.finalStatus);
  a.appendInteger(c.retransmissions); a.appendInteger(c.duplicates); a.appendInteger(c.anomalies);
}

function stageable(c: CallRow): boolean {
  return callLists(c).every((list) => list.every((item) => !item.includes(SEP)));
}

function appendStagedCall(a: DuckDBAppender, c: CallRow): void {
  appendCallScalars(a, c);
  for (const list of callLists(c)) if (list.length === 0) a.appendNull(); else a.appendVarchar(list.join(SEP));
  a.endRow();
}

function appendCall(a: DuckDBAppender, c: CallRow): void {
  appendCallScalars(a, c);
  for (const list of callLists(c)) a.appendList(list, STRING_LIST);
  a.endRow();
}

function appendMessage(a: DuckDBAppender, m: MessageRow): void {
  a.appendInteger(m.run); a.appendBigInt(BigInt(m.runCall)); a.appendBigInt(BigInt(m.seq)); a.appendBigInt(BigInt(m.frame));
  a.appendBigInt(BigInt(m.sec)); a.appendInteger(m.nsec);
  a.appendVarchar(m.srcIp); a.appendInteger(m.srcPort); a.appendVarchar(m.dstIp); a.appendInteger(m.dstPort);
  a.appendVarchar(m.transport);
  if (m.hep === null) a.appendNull(); else a.appendVarchar(m.hep);
  a.appendInteger(m.issues);
  if (m.method === null) a.appendNull(); else a.appendVarchar(m.method);
  if (m.status === null) a.appendNull(); else a.appendInteger(m.status);
  a.appendBlob(m.raw);
  a.endRow();
}

export async function openDuckDbStore(path: string, mode: 'read' | 'write'): Promise<StoreBackend> {
  if (mode === 'read' && !existsSync(path)) throw new StoreError(`no store at ${path} (make one with: sipv index FILE... --store ${path})`);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, mode === 'read' ? { access_mode: 'READ_ONLY' } : {});
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (/Could not set lock/i.test(text)) {
      throw new StoreError(`store ${path} is busy: another process has it open for writing (a running sipv index?); DuckDB allows one writer and no reader meanwhile — wait for it, or use ClickHouse for several indexers`);
    }
    throw new StoreError(`cannot open store ${path}: ${text.split('\n')[0]}`);
  }
  const conn = await instance.connect();
  // Indexing writes far more than it reads back: without a limit DuckDB keeps every written block
  // cached (up to 80% of RAM; measured 1 GB more RSS on a 1 GiB capture).
  if (mode === 'write') await conn.run(`SET memory_limit = '${WRITER_MEMORY}'`);
  if (mode === 'write') {
    for (const sql of SCHEMA) await conn.run(sql);
    const v = await rows(conn, `SELECT value FROM meta WHERE key = 'schema'`);
    if (v.length === 0) await conn.run(`INSERT INTO meta VALUES ('schema', '${SCHEMA_VERSION}')`);
  }
  const v = await rows(conn, `SELECT value FROM meta WHERE key = 'schema'`).catch(() => []);
  if (v[0]?.[0] !== SCHEMA_VERSION) {
    conn.closeSync();
    instance.closeSync();
    const older = typeof v[0]?.[0] === 'string' && Number(v[0][0]) < Number(SCHEMA_VERSION);
    throw new StoreError(older
      ? `${path} is a sipv store of schema ${String(v[0]![0])}, made by an older sipv; this one reads schema ${SCHEMA_VERSION}: index the captures again into a new store`
      : `${path} is not a sipv store of schema ${SCHEMA_VERSION}`);
  }
  return new DuckDbStore(instance, conn);
}

async function rows(conn: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<unknown[][]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowsJS() as unknown[][];
}

class DuckDbStore implements StoreBackend {
  readonly dialect = duckdbDialect;

  constructor(private readonly instance: DuckDBInstance, private readonly conn: DuckDBConnection) {}

  async totals(): Promise<StoreTotals> {
    const [c] = await rows(this.conn, `SELECT count(*), coalesce(max(idx) + 1, 0), coalesce(sum(messages), 0) FROM calls`);
    const [m] = await rows(this.conn, `SELECT coalesce(max(seq) + 1, 0), coalesce(max(run) + 1, 1) FROM messages`);
    const [r] = await rows(this.conn, `SELECT coalesce(max(run) + 1, 1) FROM call_parts`);
    return { calls: num(c![0]), nextIdx: num(c![1]), messages: num(c![2]), nextSeq: num(m![0]), nextRun: Math.max(num(r![0]), num(m![1])) };
  }

  async hasFile(hash: string): Promise<boolean> {
    return (await rows(this.conn, `SELECT 1 FROM files WHERE hash = $1`, [hash])).length > 0;
  }

  async existing(callIds: string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (callIds.length === 0) return found;
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE wanted (call_id VARCHAR)`);
    const a = await this.conn.createAppender('wanted', 'main', 'temp');
    for (const id of callIds) { a.appendVarchar(id); a.endRow(); }
    a.closeSync();
    for (const r of await rows(this.conn, `SELECT c.call_id, c.idx FROM calls c JOIN wanted w ON c.call_id = w.call_id`)) {
      found.set(r[0] as string, num(r[1]));
    }
    await this.conn.run(`DROP TABLE wanted`);
    return found;
  }

  async beginRun(): Promise<RunWriter> {
    const conn = this.conn;
    // Messages of interrupted runs: no call_parts row points to them (this process holds the only write lock).
    await conn.run(`DELETE FROM messages WHERE run > (SELECT coalesce(max(run), 0) FROM call_parts)`);
    // Autocommit: each appender flush commits its rows, so they go to disk instead of the transaction's memory.
    const messages = await conn.createAppender('messages');
    let pending = 0;
    let open = false;
    /** Calls, parts and files go into one transaction: the run appears whole or not at all. */
    const begin = async (): Promise<void> => {
      if (!open) { await conn.run('BEGIN TRANSACTION'); open = true; }
    };
    const withAppender = async (table: string, fill: (a: DuckDBAppender) => void): Promise<void> => {
      await begin();
      const a = await conn.createAppender(table);
      fill(a);
      a.closeSync();
    };
    return {
      addMessage: (row) => {
        appendMessage(messages, row);
        if (++pending >= FLUSH_ROWS) { messages.flushSync(); pending = 0; }
      },
      flush: async () => { messages.flushSync(); pending = 0; },
      addCalls: async (calls) => {
        const slow = calls.filter((c) => !stageable(c));
        await withAppender('calls', (a) => slow.forEach((c) => appendCall(a, c)));
        await conn.run(STAGED_CALLS);
        const staged = await conn.createAppender('staged_calls', 'main', 'temp');
        for (const c of calls) if (stageable(c)) appendStagedCall(staged, c);
        staged.closeSync();
        await conn.run(FROM_STAGED);
        await conn.run('DROP TABLE staged_calls');
      },
      addParts: (parts: CallPart[]) => withAppender('call_parts', (a) => {
        for (const p of parts) { a.appendBigInt(BigInt(p.idx)); a.appendInteger(p.run); a.appendBigInt(BigInt(p.runCall)); a.endRow(); }
      }),
      replaceCall: async (row) => {
        await begin();
        await conn.run(`DELETE FROM calls WHERE idx = $1`, [BigInt(row.idx)]);
        await withAppender('calls', (a) => appendCall(a, row));
      },
      addFiles: (files: IndexedFile[]) => withAppender('files', (a) => {
        for (const f of files) {
          a.appendVarchar(f.hash); a.appendVarchar(f.name); a.appendBigInt(BigInt(f.bytes)); a.appendInteger(f.run);
          a.appendNull(); a.endRow();
        }
      }),
      commit: async () => {
        messages.closeSync();
        if (open) await conn.run('COMMIT');
        await conn.run('CHECKPOINT');
      },
      rollback: async () => {
        try { messages.closeSync(); } catch { /* the appender may already be closed */ }
        if (open) await conn.run('ROLLBACK');
        // The messages already committed are unreachable; take them away now rather than at the next run.
        await conn.run(`DELETE FROM messages WHERE run > (SELECT coalesce(max(run), 0) FROM call_parts)`).catch(() => undefined);
      },
    };
  }

  async listCalls(q: ListQuery): Promise<CallRow[]> {
    const order = q.order === 'callid' ? 'call_id, idx' : 'idx';
    let sql = `${SELECT_CALL} WHERE ${q.where.where} ORDER BY ${order}`;
    const params: DuckDBValue[] = [...q.where.params];
    if (q.limit !== undefined) { params.push(BigInt(q.limit)); sql += ` LIMIT $${params.length}`; }
    if (q.offset !== undefined) { params.push(BigInt(q.offset)); sql += ` OFFSET $${params.length}`; }
    return (await rows(this.conn, sql, params)).map(toCallRow);
  }

  async countCalls(where: SqlFilter): Promise<number> {
    const [r] = await rows(this.conn, `SELECT count(*) FROM calls WHERE ${where.where}`, where.params);
    return num(r![0]);
  }

  async callByIndex(idx: number): Promise<CallRow | undefined> {
    const r = await rows(this.conn, `${SELECT_CALL} WHERE idx = $1`, [BigInt(idx)]);
    return r[0] === undefined ? undefined : toCallRow(r[0]);
  }

  async callById(callId: string): Promise<CallRow | undefined> {
    const r = await rows(this.conn, `${SELECT_CALL} WHERE call_id = $1`, [callId]);
    return r[0] === undefined ? undefined : toCallRow(r[0]);
  }

  async messagesOf(idx: number): Promise<MessageRow[]> {
    const parts = await rows(this.conn, `SELECT run, run_call FROM call_parts WHERE idx = $1`, [BigInt(idx)]);
    const out: MessageRow[] = [];
    for (const p of parts) {
      const r = await rows(this.conn, `${SELECT_MESSAGE} WHERE m.run = $1 AND m.run_call = $2`, [p[0] as number, p[1] as bigint]);
      for (const row of r) out.push(toMessageRow(row));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** The call indexes as a temporary table `name` (idx BIGINT) for joins. */
  private async idxTable(name: string, idxs: readonly number[]): Promise<void> {
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${name} (idx BIGINT)`);
    const a = await this.conn.createAppender(name, 'main', 'temp');
    for (const i of idxs) { a.appendBigInt(BigInt(i)); a.endRow(); }
    a.closeSync();
  }

  /**
   * Messages of many calls: per run, the wanted (run, run_call) keys joined
   * under a constant run_call range, which DuckDB checks against each row
   * group's min/max first — a batch of neighbouring calls reads the row groups
   * that hold them, not the whole table.
   */
  async eachMessage(idxs: readonly number[] | null, fn: (idx: number, row: MessageRow) => void): Promise<void> {
    const cols = MESSAGE_COLUMNS.map((c) => `m.${c}`).join(', ');
    const emit = async (sql: string, params: DuckDBValue[]): Promise<void> => {
      const result = await this.conn.stream(sql, params);
      for await (const batch of result.yieldRowsJs()) {
        for (const r of batch as unknown[][]) fn(num(r[0]), toMessageRow(r.slice(1)));
      }
    };
    if (idxs === null) {
      await emit(`SELECT p.idx, ${cols} FROM messages m JOIN call_parts p ON m.run = p.run AND m.run_call = p.run_call`, []);
      return;
    }
    if (idxs.length === 0) return;
    await this.idxTable('wanted_idx', idxs);
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE wanted_parts AS SELECT p.idx, p.run, p.run_call FROM call_parts p JOIN wanted_idx w ON w.idx = p.idx`);
    const ranges = await rows(this.conn, `SELECT run, min(run_call), max(run_call) FROM wanted_parts GROUP BY run ORDER BY run`);
    for (const [run, lo, hi] of ranges) {
      await emit(`SELECT w.idx, ${cols} FROM messages m JOIN wanted_parts w ON m.run = w.run AND m.run_call = w.run_call
        WHERE m.run = $1 AND m.run_call BETWEEN $2 AND $3`, [run as number, lo as bigint, hi as bigint]);
    }
    await this.conn.run(`DROP TABLE wanted_parts`);
    await this.conn.run(`DROP TABLE wanted_idx`);
  }

  async eachCallBrief(fn: (call: CallBrief) => void): Promise<void> {
    const result = await this.conn.stream(`SELECT ${CALL_BRIEF_COLUMNS.join(', ')} FROM calls ORDER BY idx`);
    for await (const batch of result.yieldRowsJs()) for (const r of batch as unknown[][]) fn(toCallBrief(r));
  }

  async eachMessageBrief(rawMethod: string, fn: (message: MessageBrief) => void): Promise<void> {
    const result = await this.conn.stream(`SELECT p.idx, ${BRIEF_COLUMNS.map((c) => `m.${c}`).join(', ')},
        CASE WHEN upper(m.method) = $1 THEN m.raw END
      FROM messages m JOIN call_parts p ON m.run = p.run AND m.run_call = p.run_call
      ORDER BY p.idx, m.seq`, [rawMethod]);
    for await (const batch of result.yieldRowsJs()) for (const r of batch as unknown[][]) fn(toMessageBrief(r));
  }

  async lastRun(): Promise<number> {
    const [r] = await rows(this.conn, `SELECT coalesce(max(run), 0) FROM call_parts`);
    return num(r![0]);
  }

  async findingsInfo(): Promise<FindingsInfo | undefined> {
    const r = await rows(this.conn, `SELECT key, value FROM meta WHERE key IN ('findings_run', 'findings_region')`);
    const m = new Map(r.map((x) => [x[0] as string, x[1] as string]));
    const run = m.get('findings_run');
    return run === undefined ? undefined : { run: Number(run), region: m.get('findings_region') ?? '' };
  }

  async findings(idxs: readonly number[] | null): Promise<FindingRow[]> {
    let sql = `SELECT f.idx, f.pos, f.code, f.severity, f.finding FROM findings f`;
    if (idxs !== null) {
      await this.idxTable('wanted_idx', idxs);
      sql += ` JOIN wanted_idx w ON w.idx = f.idx`;
    }
    const out = (await rows(this.conn, `${sql} ORDER BY f.idx, f.pos`)).map((r) => ({
      idx: num(r[0]), pos: num(r[1]), code: r[2] as string, severity: r[3] as string, json: r[4] as string,
    }));
    if (idxs !== null) await this.conn.run(`DROP TABLE wanted_idx`);
    return out;
  }

  /** One transaction: the replaced calls' findings deleted, the new ones appended, the info recorded. */
  async beginFindings(info: FindingsInfo, replace: readonly number[] | 'all'): Promise<FindingsWriter> {
    const conn = this.conn;
    await conn.run('BEGIN TRANSACTION');
    const rollback = async (): Promise<void> => { await conn.run('ROLLBACK').catch(() => undefined); };
    try {
      if (replace === 'all') await conn.run(`DELETE FROM findings`);
      else if (replace.length > 0) {
        await this.idxTable('replaced_idx', replace);
        await conn.run(`DELETE FROM findings WHERE idx IN (SELECT idx FROM replaced_idx)`);
        await conn.run(`DROP TABLE replaced_idx`);
      }
    } catch (e) {
      await rollback();
      throw e;
    }
    return {
      add: async (list) => {
        if (list.length === 0) return;
        const a = await conn.createAppender('findings');
        for (const f of list) {
          a.appendBigInt(BigInt(f.idx)); a.appendInteger(f.pos); a.appendVarchar(f.code); a.appendVarchar(f.severity); a.appendVarchar(f.json);
          a.endRow();
        }
        a.closeSync();
      },
      commit: async () => {
        await conn.run(`DELETE FROM meta WHERE key IN ('findings_run', 'findings_region')`);
        await conn.run(`INSERT INTO meta VALUES ('findings_run', $1), ('findings_region', $2)`, [String(info.run), info.region]);
        await conn.run('COMMIT');
        await conn.run('CHECKPOINT');
        return num((await rows(conn, `SELECT count(*) FROM findings`))[0]![0]);
      },
      rollback,
    };
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
