import { statusErrors } from './status-error.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** What a Kubernetes API path addresses, in the manner of the apiserver's RequestInfo. */
export type RequestTarget =
  | { type: 'health' }
  | { type: 'version' }
  | { type: 'openapi'; path: string[] }
  | { type: 'discovery'; prefix: 'api' | 'apis'; group?: string; version?: string }
  | {
      type: 'resource';
      group: string;
      version: string;
      plural: string;
      namespace?: string;
      name?: string;
      subresource?: string;
    };

export interface ParsedPath {
  /** The workspace from `/clusters/<path or id>/...`; `root` when the path has no cluster prefix. */
  cluster: string;
  target: RequestTarget;
}

const WORKSPACE_SEGMENT = /^(\*|[a-z0-9]([a-z0-9:-]*[a-z0-9])?)$/;

export function parsePath(pathname: string): ParsedPath {
  let segments = pathname
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw statusErrors.badRequest(`the path segment "${segment}" is not valid percent-encoding`);
      }
    });
  let cluster = 'root';
  if (segments[0] === 'clusters') {
    const named = segments[1];
    if (!named || !WORKSPACE_SEGMENT.test(named)) {
      throw statusErrors.pathNotFound(`"${named ?? ''}" is not a workspace path such as root:orgs:acme`);
    }
    cluster = named;
    segments = segments.slice(2);
  }
  return { cluster, target: parseTarget(segments) };
}

function parseTarget(segments: string[]): RequestTarget {
  const [first, ...rest] = segments;
  if (first === 'healthz' || first === 'livez' || first === 'readyz') return { type: 'health' };
  if (first === 'version' && rest.length === 0) return { type: 'version' };
  if (first === 'openapi') return { type: 'openapi', path: rest };
  if (first === 'api') {
    const [version, ...resourcePath] = rest;
    if (!version) return { type: 'discovery', prefix: 'api' };
    if (resourcePath.length === 0) return { type: 'discovery', prefix: 'api', group: '', version };
    return parseResource('', version, resourcePath);
  }
  if (first === 'apis') {
    const [group, version, ...resourcePath] = rest;
    if (!group) return { type: 'discovery', prefix: 'apis' };
    if (!version) return { type: 'discovery', prefix: 'apis', group };
    if (resourcePath.length === 0) return { type: 'discovery', prefix: 'apis', group, version };
    return parseResource(group, version, resourcePath);
  }
  throw statusErrors.pathNotFound();
}

function parseResource(group: string, version: string, path: string[]): RequestTarget {
  // Legacy `/watch/` paths are still used by some clients.
  const parts = path[0] === 'watch' ? path.slice(1) : path;
  let namespace: string | undefined;
  let rest = parts;
  // `namespaces/<name>` is the namespace object itself unless more segments follow a resource name.
  if (parts[0] === 'namespaces' && parts.length >= 3 && !(group === '' && isNamespaceSubresource(parts[2]))) {
    namespace = parts[1];
    rest = parts.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural || extra.length > 0) throw statusErrors.pathNotFound();
  return {
    type: 'resource',
    group,
    version,
    plural,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

function isNamespaceSubresource(segment: string | undefined): boolean {
  return segment === 'status' || segment === 'finalize';
}

export function isWatchPath(pathname: string): boolean {
  return /\/(api\/v1|apis\/[^/]+\/[^/]+)\/watch\//.test(pathname);
}

export function verbFor(method: string, hasName: boolean, watch: boolean): Verb {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return hasName ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      if (hasName) throw statusErrors.methodNotAllowed('POST is only allowed on a collection');
      return 'create';
    case 'PUT':
      if (!hasName) throw statusErrors.methodNotAllowed('PUT needs an object name');
      return 'update';
    case 'PATCH':
      if (!hasName) throw statusErrors.methodNotAllowed('PATCH needs an object name');
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      throw statusErrors.methodNotAllowed(`method ${method} is not supported`);
  }
}
