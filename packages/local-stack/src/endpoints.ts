import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The URL of each running process by name, for scripts, tests and later processes. */
export type Endpoints = Partial<
  Record<
    'controlPlane' | 'idp' | 'cmk' | 'controller' | 'edge' | 'edgeKmsSocket' | 'bff' | 'mfe' | 'shell',
    string
  >
>;

export const ENDPOINTS_FILE = 'endpoints.json';

export async function writeEndpoints(dataDir: string, endpoints: Endpoints): Promise<void> {
  await writeFile(join(dataDir, ENDPOINTS_FILE), `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o644 });
}

export async function readEndpoints(dataDir: string): Promise<Endpoints> {
  const text = await readFile(join(dataDir, ENDPOINTS_FILE), 'utf8').catch(() => {
    throw new Error(`${join(dataDir, ENDPOINTS_FILE)} not found: start the product with npm start`);
  });
  return JSON.parse(text) as Endpoints;
}
