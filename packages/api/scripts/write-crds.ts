import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrdFiles, renderPlatformMeshFiles } from '../src/index.js';

// deploy/crds for Kubernetes and the local control plane; deploy/platform-mesh for kcp and the Console.
const deploy = fileURLToPath(new URL('../../../deploy/', import.meta.url));
for (const [folder, files] of [
  ['crds', renderCrdFiles()],
  ['platform-mesh', renderPlatformMeshFiles()],
] as const) {
  await mkdir(join(deploy, folder), { recursive: true });
  for (const { file, content } of files) {
    await writeFile(join(deploy, folder, file), content);
    process.stdout.write(`wrote deploy/${folder}/${file}\n`);
  }
}
