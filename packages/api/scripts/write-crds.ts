import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles } from '../src/index.js';

const target = fileURLToPath(new URL('../../../deploy/crds/', import.meta.url));
for (const { file, content } of renderCrdFiles()) {
  await writeFile(join(target, file), content);
  process.stdout.write(`wrote deploy/crds/${file}\n`);
}
