import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// Connections are reused: a TLS handshake per request would dominate every call on loopback.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgents = new Map<string, HttpsAgent>();

function agentFor(
  protocol: string,
  ca: string | undefined,
  servername: string | undefined,
): HttpAgent | HttpsAgent {
  if (protocol !== 'https:') return httpAgent;
  const key = `${servername ?? ''}\n${ca ?? ''}`;
  let agent = httpsAgents.get(key);
  if (!agent) {
    agent = new HttpsAgent({
      keepAlive: true,
      maxSockets: 64,
      ...(ca ? { ca } : {}),
      ...(servername ? { servername } : {}),
    });
    httpsAgents.set(key, agent);
  }
  return agent;
}

export interface JsonResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A JSON request that trusts a given CA: Node's fetch cannot be told which CA to trust without
 * an extra package, and the local services use a CA of their own.
 */
export function requestJson(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    ca?: string;
    /** The name the server's certificate must carry, when it differs from the URL's host. */
    servername?: string;
    timeoutMs?: number;
  } = {},
): Promise<JsonResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: agentFor(target.protocol, options.ca, options.servername),
        timeout: options.timeoutMs ?? 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out`)));
    request.on('error', reject);
    request.end(options.body);
  });
}
