/**
 * `--store URL`: `duckdb:/path/calls.duckdb`, a plain path (DuckDB), or
 * `clickhouse://[user[:password]@]host[:port]/database` (HTTP interface,
 * port 8123 by default; `clickhouses://` for HTTPS).
 */
import { StoreError } from './backend.js';

export type StoreUrl =
  | { kind: 'duckdb'; path: string }
  | { kind: 'clickhouse'; url: string; database: string; username?: string; password?: string };

export function parseStoreUrl(text: string): StoreUrl {
  if (text === '') throw new StoreError('--store needs a path or a URL');
  if (text.startsWith('duckdb:')) {
    const path = text.slice('duckdb:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new StoreError(`'${text}' names no file (e.g. duckdb:/var/lib/sipv/calls.duckdb)`);
    return { kind: 'duckdb', path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'duckdb', path: text };
  if (scheme !== 'clickhouse' && scheme !== 'clickhouses') {
    throw new StoreError(`unknown store '${scheme}:' (use a path, duckdb:PATH or clickhouse://host:8123/db)`);
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new StoreError(`'${text}' is not a store URL (e.g. clickhouse://localhost:8123/sipv)`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'default';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new StoreError(`'${database}' is not a ClickHouse database name`);
  const http = scheme === 'clickhouses' ? 'https' : 'http';
  const port = u.port === '' ? (http === 'https' ? '8443' : '8123') : u.port;
  const out: StoreUrl = { kind: 'clickhouse', url: `${http}://${u.hostname}:${port}`, database };
  if (u.username !== '') out.username = decodeURIComponent(u.username);
  if (u.password !== '') out.password = decodeURIComponent(u.password);
  return out;
}
