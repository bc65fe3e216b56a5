import { statusErrors } from '../http/status-error.js';
import type { ResourceType } from '../registry/resource-type.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function groupVersions(types: ResourceType[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const type of types) {
    if (type.group === '') continue;
    const versions = groups.get(type.group) ?? [];
    if (!versions.includes(type.version)) versions.push(type.version);
    groups.set(type.group, versions);
  }
  return groups;
}

function apiGroup(name: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

/** `/api`, `/apis`, `/apis/<group>` and the resource lists of each group version. */
export function discoveryDocument(
  types: ResourceType[],
  prefix: 'api' | 'apis',
  group: string | undefined,
  version: string | undefined,
  serverAddress: string,
): unknown {
  if (prefix === 'api' && version === undefined) {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (prefix === 'apis' && group === undefined) {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groupVersions(types)].map(([name, versions]) => apiGroup(name, versions)),
    };
  }
  if (prefix === 'apis' && group !== undefined && version === undefined) {
    const versions = groupVersions(types).get(group);
    if (!versions) throw statusErrors.pathNotFound();
    return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, versions) };
  }
  const served = types.filter((type) => type.group === (group ?? '') && type.version === version);
  if (served.length === 0) throw statusErrors.pathNotFound();
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: served.flatMap((type) => [
      {
        name: type.plural,
        singularName: type.singular,
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ALL_VERBS,
        ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
        ...(type.categories.length > 0 ? { categories: type.categories } : {}),
      },
      ...(type.hasStatus
        ? [
            {
              name: `${type.plural}/status`,
              singularName: '',
              namespaced: type.namespaced,
              kind: type.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]),
  };
}
