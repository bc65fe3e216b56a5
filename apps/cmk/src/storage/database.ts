import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** The part of SQL access the services use; the same SQL runs on PGlite and PostgreSQL. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /**
   * Tells `listen(channel)` listeners once the transaction commits (at once outside one), as
   * PostgreSQL's NOTIFY does; nothing is told of work that rolls back. Within this process.
   */
  notify(channel: string, payload: string): void;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  listen(channel: string, listener: (payload: string) => void): () => void;
  /** Runs `work` in one transaction; a thrown error rolls it back. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** bytea comes back as Buffer from pg and Uint8Array from PGlite: callers always get a Buffer. */
export function bytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('expected binary data from the database');
}

/** Notifications held by a transaction until it commits. */
class Notifications {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  listen(channel: string, listener: (payload: string) => void): () => void {
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  now(channel: string, payload: string): void {
    this.emitter.emit(channel, payload);
  }

  /** Runs `work` with a notify that queues; the queue is told only if `work` (the transaction) succeeds. */
  async held<T>(work: (notify: (channel: string, payload: string) => void) => Promise<T>): Promise<T> {
    const queued: Array<[string, string]> = [];
    const result = await work((channel, payload) => queued.push([channel, payload]));
    for (const [channel, payload] of queued) this.now(channel, payload);
    return result;
  }
}

async function openPglite(directory: string): Promise<Database> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(directory);
  const notifications = new Notifications();
  const sql = (target: Pick<PGlite, 'query'>, notify: Sql['notify']): Sql => ({
    async query<Row>(text: string, params: unknown[] = []) {
      return (await target.query<Row>(text, params)).rows;
    },
    notify,
  });
  return {
    kind: 'pglite',
    ...sql(db, (channel, payload) => notifications.now(channel, payload)),
    listen: (channel, listener) => notifications.listen(channel, listener),
    transaction: (work) => notifications.held((notify) => db.transaction((tx) => work(sql(tx, notify)))),
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
  const notifications = new Notifications();
  const sql = (target: Pick<pg.Pool, 'query'>, notify: Sql['notify']): Sql => ({
    async query<Row>(text: string, params: unknown[] = []) {
      return (await target.query(text, params)).rows as Row[];
    },
    notify,
  });
  return {
    kind: 'postgres',
    ...sql(pool, (channel, payload) => notifications.now(channel, payload)),
    listen: (channel, listener) => notifications.listen(channel, listener),
    transaction: (work) =>
      notifications.held(async (notify) => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          const result = await work(sql(client, notify));
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }),
    close: () => pool.end(),
  };
}

/** PostgreSQL when a URL is given (DATABASE_URL), otherwise embedded PGlite in the data folder. */
export async function openDatabase(options: { url?: string; pgliteDirectory: string }): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.pgliteDirectory);
}
