import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout the product runs from; small on purpose, so scripts can find it without loading the stack. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
