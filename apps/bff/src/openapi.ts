import type { Route } from './route-kit.js';

/** The OpenAPI 3 document of the BFF, made from the same route table and body schemas it validates with. */
export function openApiDocument(routes: Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const operations = [
    ...routes.map((route) => ({
      method: route.method,
      path: route.path,
      summary: route.summary,
      body: route.body,
      status: route.status ?? 200,
      stream: false,
    })),
    {
      method: 'get',
      path: '/workspaces/:workspace/events',
      summary: 'Server-Sent Events of changes in the workspace; resumable with Last-Event-ID',
      body: undefined,
      status: 200,
      stream: true,
    },
  ];
  for (const operation of operations) {
    const path = `/api/v1${operation.path.replace(/:([a-z]+)/g, '{$1}')}`;
    paths[path] ??= {};
    paths[path][operation.method] = {
      summary: operation.summary,
      parameters: [...operation.path.matchAll(/:([a-z]+)/g)].map((match) => ({
        name: match[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(operation.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: JSON.parse(JSON.stringify(operation.body)) } },
            },
          }
        : {}),
      responses: {
        [String(operation.status)]: {
          description: 'OK',
          content: { [operation.stream ? 'text/event-stream' : 'application/json']: {} },
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'OpenKCM Key Chain Manager BFF', version: 'v1' },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['code', 'message', 'status', 'requestID'],
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            status: { type: 'integer' },
            requestID: { type: 'string' },
            details: { type: 'object', additionalProperties: true },
          },
        },
      },
    },
  };
}
