/**
 * A private ClickHouse server for the store tests: Debian's clickhouse-server
 * started on free loopback ports with its data in a temporary folder, stopped
 * when the tests end. `SIPV_CLICKHOUSE_URL` points the tests at a running
 * server instead. Without either, the ClickHouse tests skip and say why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClickHouse {
  /** `clickhouse://127.0.0.1:PORT` without a database. */
  base: string;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function clickhouseBinary(): string | undefined {
  for (const bin of ['clickhouse-server', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server']) {
    if (spawnSync(bin, ['--help'], { stdio: 'ignore' }).error === undefined) return bin;
  }
  return undefined;
}

async function ping(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ping`)).ok;
  } catch {
    return false;
  }
}

export async function startClickHouse(): Promise<ClickHouse | string> {
  const given = process.env['SIPV_CLICKHOUSE_URL'];
  if (given) return { base: given.replace(/\/$/, ''), stop: () => undefined };
  const bin = clickhouseBinary();
  if (bin === undefined) return 'no clickhouse-server (apt-get install clickhouse-server, or set SIPV_CLICKHOUSE_URL)';
  const dir = mkdtempSync(join(tmpdir(), 'sipv-ch-'));
  const http = await freePort();
  const tcp = await freePort();
  writeFileSync(join(dir, 'config.xml'), `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/err.log</errorlog></logger>
  <http_port>${http}</http_port><tcp_port>${tcp}</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
`);
  const child: ChildProcess = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore' });
  const url = `http://127.0.0.1:${http}`;
  const stop = (): void => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    if (await ping(url)) return { base: `clickhouse://127.0.0.1:${http}`, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  return `clickhouse-server did not answer on ${url} within 30 s`;
}
