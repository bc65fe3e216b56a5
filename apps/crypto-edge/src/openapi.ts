import { Type } from '@openkcm/schema';

// No maxLength: the size limit is on the data and answered with 413, not a schema's 400.
const Base64 = (description: string) => Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', description });
const Context = Type.String({
  maxLength: 1024,
  default: '',
  description: 'Bound to the ciphertext as additional authenticated data: decrypt needs the same context.',
});
const Ciphertext = Type.String({
  maxLength: 1_000_000,
  description: 'okcm:v<version>:<base64>, as encrypt returned it',
});

/** The request bodies of the data-plane API; the size limit of plaintext is checked separately (413). */
export function requestBodies(maxPayloadBytes: number) {
  return {
    encrypt: Type.Object({
      plaintext: Base64(`the data, base64; at most ${maxPayloadBytes} bytes`),
      context: Type.Optional(Context),
    }),
    decrypt: Type.Object({ ciphertext: Ciphertext, context: Type.Optional(Context) }),
    datakey: Type.Object({ context: Type.Optional(Context) }),
    rewrap: Type.Object({ ciphertext: Ciphertext, context: Type.Optional(Context) }),
  };
}

const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  status: Type.Integer(),
  requestID: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const RESPONSES = {
  encrypt: Type.Object({ ciphertext: Type.String(), version: Type.Integer() }),
  decrypt: Type.Object({ plaintext: Type.String({ description: 'base64' }), version: Type.Integer() }),
  datakey: Type.Object({
    plaintext: Type.String({ description: 'the data key, base64: use it, then forget it' }),
    ciphertext: Type.String({
      description: 'the data key wrapped by the ServiceEncryptionKey: store it beside the data',
    }),
    version: Type.Integer(),
  }),
  rewrap: Type.Object({
    ciphertext: Type.String(),
    version: Type.Integer(),
    previousVersion: Type.Integer(),
  }),
};

const SUMMARIES = {
  encrypt: 'Encrypt with the current version of the key',
  decrypt: 'Decrypt with the version named in the ciphertext',
  datakey: 'A fresh 256-bit data key, in plaintext and wrapped (envelope encryption)',
  rewrap: 'Re-encrypt a ciphertext under the current version without returning the plaintext',
};

export function openApiDocument(maxPayloadBytes: number) {
  const bodies = requestBodies(maxPayloadBytes);
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: ErrorBody } },
  });
  return {
    openapi: '3.0.3',
    info: {
      title: 'OpenKCM Crypto Edge',
      version: 'v1',
      description:
        'The data plane: workloads authenticate with a SPIFFE JWT-SVID (Authorization: Bearer, audience = this edge) or an X.509-SVID over mTLS, and may use a key when its spec.allowedWorkloads admits them.',
    },
    components: {
      securitySchemes: { jwtSvid: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT-SVID' } },
    },
    security: [{ jwtSvid: [] }],
    paths: Object.fromEntries(
      (Object.keys(bodies) as Array<keyof typeof bodies>).map((operation) => [
        `/v1/keys/{name}/${operation}`,
        {
          post: {
            summary: SUMMARIES[operation],
            parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
            requestBody: { required: true, content: { 'application/json': { schema: bodies[operation] } } },
            responses: {
              200: { description: 'done', content: { 'application/json': { schema: RESPONSES[operation] } } },
              400: error('the body is not valid'),
              401: error('no valid workload token or certificate'),
              403: error("the workload is not in the key's allowedWorkloads"),
              404: error('no such key'),
              413: error(`more than ${maxPayloadBytes} bytes of data`),
              422: error('the key is disabled or scheduled for deletion, or the ciphertext does not open'),
              503: error(
                'CMK is unreachable beyond the partition bound, or the edge is not synchronised yet',
              ),
            },
          },
        },
      ]),
    ),
  };
}
