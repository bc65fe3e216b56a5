import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUntrustedJson, UntrustedJsonError } from '@openkcm/schema';
import { CmkError } from '../keychain/errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      request.resume();
      throw new CmkError('PAYLOAD_TOO_LARGE', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  if (type !== 'application/json')
    throw new CmkError(
      'INVALID_ARGUMENT',
      `send the body as application/json (got ${type || 'no content type'})`,
    );
  try {
    return parseUntrustedJson(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    if (error instanceof UntrustedJsonError) throw new CmkError('INVALID_ARGUMENT', error.message);
    throw new CmkError('INVALID_ARGUMENT', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Request-ID': requestId,
  });
  response.end(JSON.stringify(body));
}

/** The one error shape of the API. */
export function errorBody(error: CmkError, requestId: string) {
  return {
    code: error.code,
    message: error.message,
    status: error.status,
    requestID: requestId,
    details: error.details,
  };
}
