import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { structuralProblems } from '@openkcm/schema';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  KINDS,
  objectSchema,
  renderCrdFiles,
  renderPlatformMeshFiles,
  toCustomResourceDefinition,
} from '../src/index.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));

describe('deploy/crds and deploy/platform-mesh', () => {
  it.each([
    ['crds', renderCrdFiles()],
    ['platform-mesh', renderPlatformMeshFiles()],
  ] as const)(
    'deploy/%s holds exactly what packages/api produces (run `pnpm run crds`)',
    async (folder, expected) => {
      const present = (await readdir(`${DEPLOY}${folder}`)).filter((file) => file.endsWith('.yaml')).sort();
      expect(present).toEqual(expected.map(({ file }) => file).sort());
      for (const { file, content } of expected) {
        const checkedIn = await readFile(`${DEPLOY}${folder}/${file}`, 'utf8');
        expect(checkedIn, `${folder}/${file} is out of date: run pnpm run crds`).toBe(content);
      }
    },
  );

  it('exports every kind to kcp with the same schema as its CRD, and the Console tab loads the Luigi page', () => {
    const files = new Map(
      renderPlatformMeshFiles().map(({ file, content }) => [
        file,
        parseAllDocuments(content).map((document) => document.toJS()),
      ]),
    );
    const schemas = files.get('apiresourceschemas.yaml');
    const exported = files.get('apiexport.yaml');
    const content = files.get('contentconfiguration.yaml');
    // The controller finds the export's virtual workspace through its endpoint slice.
    expect(files.get('apiexportendpointslice.yaml')?.[0].spec.export).toEqual({
      path: 'root:openkcm',
      name: exported?.[0].metadata.name,
    });
    expect(schemas?.map((schema) => schema.spec.names.kind)).toEqual(KINDS.map((kind) => kind.kind));
    expect(schemas?.[0].spec.versions).toEqual(
      toCustomResourceDefinition(KINDS[0] as (typeof KINDS)[number]).spec.versions,
    );
    expect(exported?.[0].spec.latestResourceSchemas).toEqual(schemas?.map((schema) => schema.metadata.name));
    const fragment = JSON.parse(content?.[0].spec.inlineConfiguration.content);
    expect(fragment.luigiConfigFragment.data.nodes[0]).toMatchObject({
      entityType: 'main.core_platform-mesh_io_account',
      url: '/providers/openkcm/ui/luigi.html',
    });
  });

  it.each(KINDS.map((kind) => [kind.kind, kind] as const))('%s has a structural schema', (_name, kind) => {
    expect(structuralProblems(objectSchema(kind))).toEqual([]);
  });
});
