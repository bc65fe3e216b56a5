/** A Kubernetes `Status` failure, the error shape every client of the API understands. */
export interface StatusCause {
  reason?: string;
  field?: string;
  message: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

function qualified(resource: ResourceRef): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

export const statusErrors = {
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  unauthorized: (message: string) => new StatusError(401, 'Unauthorized', message),
  forbidden: (resource: ResourceRef | undefined, name: string | undefined, message: string) =>
    new StatusError(
      403,
      'Forbidden',
      resource
        ? `${qualified(resource)}${name ? ` "${name}"` : ''} is forbidden: ${message}`
        : `forbidden: ${message}`,
      resource ? { ...(name ? { name } : {}), group: resource.group, kind: resource.plural } : undefined,
    ),
  notFound: (resource: ResourceRef, name: string) =>
    new StatusError(404, 'NotFound', `${qualified(resource)} "${name}" not found`, {
      name,
      group: resource.group,
      kind: resource.plural,
    }),
  pathNotFound: (message = 'the server could not find the requested resource') =>
    new StatusError(404, 'NotFound', message, {}),
  methodNotAllowed: (message: string) => new StatusError(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),
  alreadyExists: (resource: ResourceRef, name: string) =>
    new StatusError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, {
      name,
      group: resource.group,
      kind: resource.plural,
    }),
  conflict: (resource: ResourceRef, name: string, why: string) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(resource)} "${name}": ${why}`,
      {
        name,
        group: resource.group,
        kind: resource.plural,
      },
    ),
  gone: (message: string) => new StatusError(410, 'Expired', message),
  tooLarge: (limit: number) =>
    new StatusError(
      413,
      'RequestEntityTooLarge',
      `the request body is larger than the limit of ${limit} bytes`,
    ),
  unsupportedMediaType: (message: string) => new StatusError(415, 'UnsupportedMediaType', message),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) =>
    new StatusError(
      422,
      'Invalid',
      `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${
        causes.length === 1 ? formatCause(causes[0]!) : `[${causes.map(formatCause).join(', ')}]`
      }`,
      { name, group, kind, causes },
    ),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
  unavailable: (message: string) => new StatusError(503, 'ServiceUnavailable', message),
};

function formatCause(cause: StatusCause): string {
  return cause.field ? `${cause.field}: ${cause.message}` : cause.message;
}
