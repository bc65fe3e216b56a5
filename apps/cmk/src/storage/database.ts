import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The part of SQL access the services use; the same SQL runs on PGlite and PostgreSQL. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction; a thrown error rolls it back. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** bytea comes back as Buffer from pg and Uint8Array from PGlite: callers always get a Buffer. */
export function bytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('expected binary data from the database');
}

async function openPglite(directory: string): Promise<Database> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(directory);
  const sql = (target: Pick<PGlite, 'query'>): Sql => ({
    async query<Row>(text: string, params: unknown[] = []) {
      return (await target.query<Row>(text, params)).rows;
    },
  });
  return {
    kind: 'pglite',
    ...sql(db),
    transaction: (work) => db.transaction((tx) => work(sql(tx))),
    close: () => db.close(),
  };
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // bigint counts (count(*)) as numbers; they stay far below 2^53 here.
  pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
  pool.on('error', (error) =>
    process.stderr.write(
      `${JSON.stringify({ level: 'error', msg: 'database connection lost', error: error.message })}\n`,
    ),
  );
  const sql = (target: Pick<pg.Pool, 'query'>): Sql => ({
    async query<Row>(text: string, params: unknown[] = []) {
      return (await target.query(text, params)).rows as Row[];
    },
  });
  return {
    kind: 'postgres',
    ...sql(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(sql(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** PostgreSQL when a URL is given (DATABASE_URL), otherwise embedded PGlite in the data folder. */
export async function openDatabase(options: { url?: string; pgliteDirectory: string }): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.pgliteDirectory);
}
