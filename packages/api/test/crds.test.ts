import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { structuralProblems } from '@openkcm/schema';
import { describe, expect, it } from 'vitest';
import { KINDS, objectSchema, renderCrdFiles } from '../src/index.js';

const CRD_DIR = fileURLToPath(new URL('../../../deploy/crds/', import.meta.url));

describe('deploy/crds', () => {
  it('holds exactly what packages/api produces (run `pnpm run crds` after changing a kind)', async () => {
    const expected = renderCrdFiles();
    const present = (await readdir(CRD_DIR)).filter((file) => file.endsWith('.yaml')).sort();
    expect(present).toEqual(expected.map(({ file }) => file).sort());
    for (const { file, content } of expected) {
      const checkedIn = await readFile(`${CRD_DIR}${file}`, 'utf8');
      expect(checkedIn, `${file} is out of date: run pnpm run crds`).toBe(content);
    }
  });

  it.each(KINDS.map((kind) => [kind.kind, kind] as const))('%s has a structural schema', (_name, kind) => {
    expect(structuralProblems(objectSchema(kind))).toEqual([]);
  });
});
