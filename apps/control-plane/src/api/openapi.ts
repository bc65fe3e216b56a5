import { createHash } from 'node:crypto';
import { statusErrors } from '../http/status-error.js';
import type { ResourceType } from '../registry/resource-type.js';

function groupVersionPath(type: ResourceType): string {
  return type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
}

function definitionName(type: ResourceType): string {
  const reversedGroup = (type.group || 'core').split('.').reverse().join('.');
  return `${reversedGroup}.${type.version}.${type.kind}`;
}

function gvk(type: ResourceType) {
  return { group: type.group, version: type.version, kind: type.kind };
}

const QUERY = (name: string) => ({ name, in: 'query', schema: { type: 'string' }, uniqueItems: true });
const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
];

function pathsFor(type: ResourceType): Record<string, unknown> {
  const base = `/${groupVersionPath(type)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}`;
  const ref = { $ref: `#/components/schemas/${definitionName(type)}` };
  const json = (schema: unknown) => ({ 'application/json': { schema } });
  const extensions = { 'x-kubernetes-group-version-kind': gvk(type) };
  return {
    [base]: {
      get: {
        operationId: `list${type.kind}`,
        ...extensions,
        'x-kubernetes-action': 'list',
        responses: { '200': { description: 'OK' } },
      },
      post: {
        operationId: `create${type.kind}`,
        ...extensions,
        'x-kubernetes-action': 'post',
        parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')],
        requestBody: { content: json(ref), required: true },
        responses: { '201': { description: 'Created', content: json(ref) } },
      },
    },
    [`${base}/{name}`]: {
      get: {
        operationId: `read${type.kind}`,
        ...extensions,
        'x-kubernetes-action': 'get',
        responses: { '200': { description: 'OK', content: json(ref) } },
      },
      put: {
        operationId: `replace${type.kind}`,
        ...extensions,
        'x-kubernetes-action': 'put',
        parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')],
        requestBody: { content: json(ref), required: true },
        responses: { '200': { description: 'OK', content: json(ref) } },
      },
      patch: {
        operationId: `patch${type.kind}`,
        ...extensions,
        'x-kubernetes-action': 'patch',
        parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation'), QUERY('force')],
        requestBody: {
          content: Object.fromEntries(PATCH_TYPES.map((media) => [media, { schema: { type: 'object' } }])),
          required: true,
        },
        responses: { '200': { description: 'OK', content: json(ref) } },
      },
      delete: {
        operationId: `delete${type.kind}`,
        ...extensions,
        'x-kubernetes-action': 'delete',
        responses: { '200': { description: 'OK' } },
      },
    },
  };
}

function schemaFor(type: ResourceType): Record<string, unknown> {
  const schema = type.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return { ...schema, 'x-kubernetes-group-version-kind': [gvk(type)] };
}

/**
 * OpenAPI v3 as kubectl reads it: the root lists one document per group version, and each
 * document's PATCH operations declare `fieldValidation`, so kubectl leaves validation to the server.
 */
export function openApiDocument(types: ResourceType[], path: string[]): unknown {
  const byGroupVersion = new Map<string, ResourceType[]>();
  for (const type of types) {
    const key = groupVersionPath(type);
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), type]);
  }
  if (path[0] !== 'v3')
    throw statusErrors.pathNotFound('only the OpenAPI v3 documents are served (/openapi/v3)');
  const documentFor = (members: ResourceType[]) => ({
    openapi: '3.0.0',
    info: { title: 'OpenKCM local control plane', version: 'v1.32.0' },
    paths: Object.assign({}, ...members.map(pathsFor)),
    components: {
      schemas: Object.fromEntries(members.map((type) => [definitionName(type), schemaFor(type)])),
    },
  });
  if (path.length === 1) {
    return {
      paths: Object.fromEntries(
        [...byGroupVersion].map(([key, members]) => {
          const hash = createHash('sha256')
            .update(JSON.stringify(documentFor(members)))
            .digest('hex')
            .slice(0, 32);
          return [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` }];
        }),
      ),
    };
  }
  const members = byGroupVersion.get(path.slice(1).join('/'));
  if (!members) throw statusErrors.pathNotFound();
  return documentFor(members);
}
