/** Opens the store a `--store URL` names, for reading or for indexing into. */
import type { StoreBackend } from './backend.js';
import { parseStoreUrl } from './url.js';

export async function openStore(url: string, mode: 'read' | 'write'): Promise<StoreBackend> {
  const where = parseStoreUrl(url);
  if (where.kind === 'duckdb') {
    const { openDuckDbStore } = await import('./duckdb.js');
    return openDuckDbStore(where.path, mode);
  }
  const { openClickHouseStore } = await import('./clickhouse.js');
  return openClickHouseStore(where, mode);
}
