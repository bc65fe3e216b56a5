import { stringify } from 'yaml';
import { KINDS } from '../kinds/index.js';
import { toCustomResourceDefinition } from './to-crd.js';

const HEADER =
  '# Generated from packages/api (the single definition of the keychain.openkcm.io kinds).\n# Do not edit: change packages/api/src/kinds and run `pnpm run crds`.\n';

/** File name and content of each CRD, as deploy/crds holds them. */
export function renderCrdFiles(): Array<{ file: string; content: string }> {
  return KINDS.map((definition) => {
    const crd = toCustomResourceDefinition(definition);
    return {
      file: `${crd.metadata.name.split('.').slice(1).join('.')}_${definition.plural}.yaml`,
      content: HEADER + stringify(crd, { lineWidth: 0 }),
    };
  });
}
