import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));
/** Serialises migrations when several CMK replicas start at once. */
const LOCK_ID = 0x6f6b636d;

/** Applies the numbered SQL files in migrations/ that have not run yet, each in its own transaction. */
export async function migrate(db: Database): Promise<string[]> {
  await db.query(
    'create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())',
  );
  const files = (await readdir(MIGRATIONS)).filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const version = file.slice(0, 3);
    const text = await readFile(join(MIGRATIONS, file), 'utf8');
    const ran = await db.transaction(async (sql) => {
      await sql.query('select pg_advisory_xact_lock($1)', [LOCK_ID]);
      const done = await sql.query('select 1 from schema_migrations where version = $1', [version]);
      if (done.length > 0) return false;
      for (const statement of text
        .split(/;\s*$/m)
        .map((part) => part.trim())
        .filter(Boolean))
        await sql.query(statement);
      await sql.query('insert into schema_migrations (version) values ($1)', [version]);
      return true;
    });
    if (ran) applied.push(file);
  }
  return applied;
}
