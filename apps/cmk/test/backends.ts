import { postgresAvailable, type RunningPostgres, startPostgres } from '@openkcm/testkit';
import { afterAll, beforeAll } from 'vitest';

/** The storage suites run on embedded PGlite and, where its binaries are installed (CI installs them), on real PostgreSQL. */
export const BACKENDS = postgresAvailable() ? (['PGlite', 'PostgreSQL'] as const) : (['PGlite'] as const);
if (!postgresAvailable())
  console.warn(
    'SKIPPED: PostgreSQL is not installed, so the CMK storage suites run on PGlite only (apt-get install postgresql)',
  );

let databases = 0;

/** For the PostgreSQL backend, a server for the suite; `fresh()` gives each test an empty database (undefined means PGlite). */
export function databaseFor(backend: (typeof BACKENDS)[number]): { fresh(): Promise<string | undefined> } {
  let server: RunningPostgres | undefined;
  beforeAll(async () => {
    if (backend === 'PostgreSQL') server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return { fresh: async () => server?.createDatabase(`suite_${process.pid}_${++databases}`) };
}
