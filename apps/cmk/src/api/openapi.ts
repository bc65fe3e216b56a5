import type { Route } from './routes.js';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['code', 'message', 'status', 'requestID'],
  properties: {
    code: { type: 'string', example: 'NOT_FOUND' },
    message: { type: 'string', description: 'What went wrong and what to do' },
    status: { type: 'integer' },
    requestID: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
};

/** The OpenAPI 3 document, derived from the same route table and body schemas the server validates with. */
export function openApiDocument(routes: Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z]+)/g, '{$1}');
    const parameters = [...route.path.matchAll(/:([a-z]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      summary: route.summary,
      'x-openkcm-access': route.access,
      parameters,
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: JSON.parse(JSON.stringify(route.body)) } },
            },
          }
        : {}),
      responses: {
        '200': { description: 'OK' },
        default: {
          description: 'An error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'OpenKCM CMK',
      version: 'v1',
      description: 'Key hierarchy, rotation policy and plugin host of the OpenKCM Key Chain Manager.',
    },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
