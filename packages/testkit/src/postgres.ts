import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);

/** Where initdb, pg_ctl and postgres live: POSTGRES_BIN_DIR, else the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string | undefined {
  const candidates = [process.env.POSTGRES_BIN_DIR];
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => `/usr/lib/postgresql/${version}/bin`));
  }
  return candidates.find(
    (dir) => dir && ['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(join(dir, tool))),
  );
}

export function postgresAvailable(): boolean {
  return postgresBinDir() !== undefined;
}

export interface RunningPostgres {
  url: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server on a random loopback port in a temporary folder. PostgreSQL refuses
 * to run as root, so as root it runs as the `postgres` user.
 */
export async function startPostgres(options: { database?: string } = {}): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error('PostgreSQL binaries not found: apt-get install postgresql, or set POSTGRES_BIN_DIR');
  const dir = await tempDir('openkcm-postgres-');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await run('chown', ['-R', 'postgres:postgres', dir.path]);
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);
  const data = join(dir.path, 'data');
  const port = await freePort();
  const database = options.database ?? 'openkcm';
  await tool('initdb', ['-D', data, '-U', 'openkcm', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  await tool('pg_ctl', [
    '-D',
    data,
    '-o',
    `-k ${dir.path} -h 127.0.0.1 -p ${port} -F`,
    '-l',
    join(dir.path, 'server.log'),
    '-w',
    'start',
  ]);
  await tool('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'openkcm', database]);
  return {
    url: `postgres://openkcm@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      await tool('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'openkcm', name]);
      return `postgres://openkcm@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await dir.remove();
    },
  };
}
