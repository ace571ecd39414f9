/**
 * The store suite (store-suite.ts) against a real ClickHouse server: Debian's
 * clickhouse-server started privately for this file (see clickhouse-server.ts),
 * one fresh database per store.
 */
import { after } from 'node:test';
import { startClickHouse } from './clickhouse-server.js';
import { storeSuite } from './store-suite.js';

const server = await startClickHouse();
const prefix = `sipv_t${process.pid}_`;
if (typeof server !== 'string') after(() => server.stop());
storeSuite(
  'clickhouse',
  (label) => `${typeof server === 'string' ? 'clickhouse://127.0.0.1:1' : server.base}/${prefix}${label.replace(/-/g, '_')}`,
  typeof server === 'string' ? server : false,
);
