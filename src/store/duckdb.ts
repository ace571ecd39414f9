/**
 * The embedded store: one DuckDB file, no server. Calls are one row each with
 * their facts as VARCHAR[] columns; messages are rows keyed by (run,
 * run_call) and appended in arrival order, so DuckDB's per-row-group min/max
 * (zone maps) find one call's messages without an index to maintain.
 * Writers open the file read-write inside one transaction per run (an
 * interrupted `sipv index` leaves nothing behind); readers open it read-only.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, LIST, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { StoreError, type IndexedFile, type ListQuery, type RunWriter, type StoreBackend, type StoreTotals } from './backend.js';
import type { SqlDialect, SqlFilter } from './filter-sql.js';
import { CALL_COLUMNS, MESSAGE_COLUMNS, type CallPart, type CallRow, type MessageRow } from './rows.js';

const SCHEMA_VERSION = '1';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS files (hash VARCHAR, name VARCHAR, bytes BIGINT, run INTEGER, indexed_at TIMESTAMP)`,
  `CREATE TABLE IF NOT EXISTS calls (idx BIGINT, call_id VARCHAR, start_sec BIGINT, start_nsec INTEGER,
     end_sec BIGINT, end_nsec INTEGER, first_method VARCHAR, from_user VARCHAR, to_user VARCHAR,
     src_ip VARCHAR, dst_ip VARCHAR, messages INTEGER, final_status INTEGER, retransmissions INTEGER,
     duplicates INTEGER, anomalies INTEGER, src_ips VARCHAR[], dst_ips VARCHAR[], from_numbers VARCHAR[],
     to_numbers VARCHAR[], diversion VARCHAR[], pai VARCHAR[], ppi VARCHAR[], header_names VARCHAR[])`,
  `CREATE TABLE IF NOT EXISTS call_parts (idx BIGINT, run INTEGER, run_call BIGINT)`,
  `CREATE TABLE IF NOT EXISTS messages (run INTEGER, run_call BIGINT, seq BIGINT, frame BIGINT, sec BIGINT,
     nsec INTEGER, src_ip VARCHAR, src_port INTEGER, dst_ip VARCHAR, dst_port INTEGER, transport VARCHAR,
     hep VARCHAR, issues INTEGER, raw BLOB)`,
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
/** Message rows per appender flush: one DuckDB row group's worth of SIP is tens of megabytes. */
const FLUSH_ROWS = 16_384;
const SELECT_CALL = `SELECT ${CALL_COLUMNS.join(', ')} FROM calls`;
const SELECT_MESSAGE = `SELECT ${MESSAGE_COLUMNS.map((c) => `m.${c}`).join(', ')} FROM messages m`;

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const strs = (v: unknown): string[] => (v as string[] | null) ?? [];

function toCallRow(r: unknown[]): CallRow {
  return {
    idx: num(r[0]), callId: r[1] as string, startSec: num(r[2]), startNsec: num(r[3]), endSec: num(r[4]), endNsec: num(r[5]),
    firstMethod: r[6] as string | null, fromUser: r[7] as string, toUser: r[8] as string, srcIp: r[9] as string, dstIp: r[10] as string,
    messages: num(r[11]), finalStatus: r[12] === null ? null : num(r[12]), retransmissions: num(r[13]), duplicates: num(r[14]),
    anomalies: num(r[15]), srcIps: strs(r[16]), dstIps: strs(r[17]), fromNumbers: strs(r[18]), toNumbers: strs(r[19]),
    diversion: strs(r[20]), pai: strs(r[21]), ppi: strs(r[22]), headerNames: strs(r[23]),
  };
}

function toMessageRow(r: unknown[]): MessageRow {
  return {
    run: num(r[0]), runCall: num(r[1]), seq: num(r[2]), frame: num(r[3]), sec: num(r[4]), nsec: num(r[5]),
    srcIp: r[6] as string, srcPort: num(r[7]), dstIp: r[8] as string, dstPort: num(r[9]), transport: r[10] as string,
    hep: r[11] as string | null, issues: num(r[12]), raw: Buffer.from(r[13] as Uint8Array),
  };
}

function appendCall(a: DuckDBAppender, c: CallRow): void {
  a.appendBigInt(BigInt(c.idx)); a.appendVarchar(c.callId);
  a.appendBigInt(BigInt(c.startSec)); a.appendInteger(c.startNsec); a.appendBigInt(BigInt(c.endSec)); a.appendInteger(c.endNsec);
  if (c.firstMethod === null) a.appendNull(); else a.appendVarchar(c.firstMethod);
  a.appendVarchar(c.fromUser); a.appendVarchar(c.toUser); a.appendVarchar(c.srcIp); a.appendVarchar(c.dstIp);
  a.appendInteger(c.messages);
  if (c.finalStatus === null) a.appendNull(); else a.appendInteger(c.finalStatus);
  a.appendInteger(c.retransmissions); a.appendInteger(c.duplicates); a.appendInteger(c.anomalies);
  for (const list of [c.srcIps, c.dstIps, c.fromNumbers, c.toNumbers, c.diversion, c.pai, c.ppi, c.headerNames]) a.appendList(list, STRING_LIST);
  a.endRow();
}

function appendMessage(a: DuckDBAppender, m: MessageRow): void {
  a.appendInteger(m.run); a.appendBigInt(BigInt(m.runCall)); a.appendBigInt(BigInt(m.seq)); a.appendBigInt(BigInt(m.frame));
  a.appendBigInt(BigInt(m.sec)); a.appendInteger(m.nsec);
  a.appendVarchar(m.srcIp); a.appendInteger(m.srcPort); a.appendVarchar(m.dstIp); a.appendInteger(m.dstPort);
  a.appendVarchar(m.transport);
  if (m.hep === null) a.appendNull(); else a.appendVarchar(m.hep);
  a.appendInteger(m.issues); a.appendBlob(m.raw);
  a.endRow();
}

export async function openDuckDbStore(path: string, mode: 'read' | 'write'): Promise<StoreBackend> {
  if (mode === 'read' && !existsSync(path)) throw new StoreError(`no store at ${path} (make one with: sipv index FILE... --store ${path})`);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, mode === 'read' ? { access_mode: 'READ_ONLY' } : {});
  } catch (e) {
    throw new StoreError(`cannot open store ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const conn = await instance.connect();
  if (mode === 'write') {
    for (const sql of SCHEMA) await conn.run(sql);
    const v = await rows(conn, `SELECT value FROM meta WHERE key = 'schema'`);
    if (v.length === 0) await conn.run(`INSERT INTO meta VALUES ('schema', '${SCHEMA_VERSION}')`);
  }
  const v = await rows(conn, `SELECT value FROM meta WHERE key = 'schema'`).catch(() => []);
  if (v[0]?.[0] !== SCHEMA_VERSION) {
    conn.closeSync();
    instance.closeSync();
    throw new StoreError(`${path} is not a sipv store of schema ${SCHEMA_VERSION}`);
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
    const [m] = await rows(this.conn, `SELECT coalesce(max(seq) + 1, 0) FROM messages`);
    const [r] = await rows(this.conn, `SELECT coalesce(max(run) + 1, 1) FROM call_parts`);
    return { calls: num(c![0]), nextIdx: num(c![1]), messages: num(c![2]), nextSeq: num(m![0]), nextRun: num(r![0]) };
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
    await conn.run('BEGIN TRANSACTION');
    const messages = await conn.createAppender('messages');
    let pending = 0;
    const withAppender = async (table: string, fill: (a: DuckDBAppender) => void): Promise<void> => {
      const a = await conn.createAppender(table);
      fill(a);
      a.closeSync();
    };
    return {
      addMessage: (row) => {
        appendMessage(messages, row);
        // Bounds what the appender gathers between flushes (measured: not where index memory goes, see issue 13 notes).
        if (++pending >= FLUSH_ROWS) { messages.flushSync(); pending = 0; }
      },
      flush: async () => { messages.flushSync(); },
      addCalls: (calls) => withAppender('calls', (a) => calls.forEach((c) => appendCall(a, c))),
      addParts: (parts: CallPart[]) => withAppender('call_parts', (a) => {
        for (const p of parts) { a.appendBigInt(BigInt(p.idx)); a.appendInteger(p.run); a.appendBigInt(BigInt(p.runCall)); a.endRow(); }
      }),
      replaceCall: async (row) => {
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
        await conn.run('COMMIT');
        await conn.run('CHECKPOINT');
      },
      rollback: async () => {
        try { messages.closeSync(); } catch { /* the appender may already be closed */ }
        await conn.run('ROLLBACK');
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
      out.push(...r.map(toMessageRow));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
