import type { IncomingMessage } from 'node:http';
import { assertSafeJson, MAX_JSON_DEPTH, UntrustedJsonError } from '@openkcm/schema';
import { parse as parseYaml } from 'yaml';
import { decodeKubernetesProtobuf, PROTOBUF } from './protobuf.js';
import { statusErrors } from './status-error.js';

/** The apiserver's own limit for a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) {
    request.resume();
    throw statusErrors.tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.resume();
      throw statusErrors.tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * JSON, or YAML for `application/yaml` and server-side apply; anything else is refused clearly.
 * Whatever the format, the result is checked before anything walks it: no keys that reach a
 * prototype, no nesting deeper than any Kubernetes object needs.
 */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  const value = parseUnchecked(raw, contentType);
  try {
    assertSafeJson(value);
  } catch (error) {
    if (error instanceof UntrustedJsonError) throw statusErrors.badRequest(error.message);
    throw error;
  }
  return value;
}

function parseUnchecked(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const media = (contentType ?? 'application/json').split(';')[0]?.trim() ?? '';
  const text = raw.toString('utf8');
  if (media.endsWith('yaml')) {
    // The YAML parser's memory grows steeply with nested flow collections (3,000 `[` exhaust the
    // heap), so their depth is bounded before it runs; brackets inside strings count too, which
    // only errs on the safe side.
    if (flowNesting(text) > MAX_JSON_DEPTH)
      throw statusErrors.badRequest(`the body is nested more than ${MAX_JSON_DEPTH} levels deep`);
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (error) {
      throw statusErrors.badRequest(
        `the request body is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }
  // kubectl sends built-in objects as protobuf (`kubectl create configmap|secret|namespace`).
  if (media === PROTOBUF) return decodeKubernetesProtobuf(raw);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw statusErrors.badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function flowNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (const character of text) {
    if (character === '[' || character === '{') deepest = Math.max(deepest, ++depth);
    else if ((character === ']' || character === '}') && depth > 0) depth--;
  }
  return deepest;
}
