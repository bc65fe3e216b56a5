import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeClient } from '@openkcm/kube-client';
import {
  errorShapeProblems,
  eventually,
  hostileBody,
  hostileSegment,
  startTestStack,
  type TestStack,
  TIMEOUTS,
} from '@openkcm/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../src/routes.js';

// Small enough to reach in a test, large enough for the rest of this file.
process.env.BFF_RATE_LIMIT_PER_MINUTE = '600';
process.env.BFF_MAX_STREAMS_PER_USER = '3';

const ACME = '/api/v1/workspaces/root:orgs:acme';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** The BFF as an attacker and a careless client use it: every answer is a clear 4xx, nothing is reached that a route does not name. */
describe('the BFF against hostile paths, queries and bodies', () => {
  let stack: TestStack;
  const tokens = new Map<string, string>();
  const call = async (
    user: string | undefined,
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    if (user && !tokens.has(user)) tokens.set(user, await stack.tokenFor(user));
    const response = await fetch(`${stack.endpoints.bff}${path}`, {
      method,
      headers: {
        ...(user ? { Authorization: `Bearer ${tokens.get(user)}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { unparsed: text };
    }
    return { status: response.status, body: parsed };
  };
  const expectClientError = (answer: Answer, what: string) =>
    expect(errorShapeProblems(answer), `${what}: ${JSON.stringify(answer.body)}`).toEqual([]);
  const configMaps = '/clusters/root:orgs:acme/api/v1/namespaces/default/configmaps';
  const asAlice = async () =>
    new KubeClient(
      stack.endpoints.controlPlane ?? '',
      await stack.tokenFor('alice'),
      await readFile(join(stack.dataDir, 'control-plane', 'tls', 'ca.crt'), 'utf8'),
    );

  beforeAll(async () => {
    stack = await startTestStack();
    await call('alice', 'PUT', `${ACME}/openkcm`, '{}');
    await (await asAlice()).request('POST', configMaps, {
      metadata: { name: 'precious' },
      data: { keep: 'me' },
    });
  }, TIMEOUTS.processStart);
  afterAll(async () => {
    await stack?.dispose();
  });

  it('reaches only what its routes name: encoded path traversal is refused', async () => {
    const traversal = '..%2F..%2F..%2F..%2F..%2F..%2Fapi%2Fv1%2Fnamespaces%2Fdefault%2Fsecrets';
    expectClientError(await call('alice', 'GET', `${ACME}/accounts/${traversal}`), 'GET traversal');
    const deletion = `${ACME}/keys/..%2F..%2F..%2F..%2F..%2F..%2Fapi%2Fv1%2Fnamespaces%2Fdefault%2Fconfigmaps%2Fprecious`;
    expectClientError(await call('alice', 'DELETE', deletion), 'DELETE traversal');
    expect((await (await asAlice()).get(`${configMaps}/precious`)).metadata.name).toBe('precious');
  });

  it('answers malformed percent-encoding, hostile bodies and deep nesting with a 400', async () => {
    for (const path of [
      '/api/v1/workspaces/root:orgs:%E0%A4%A/accounts',
      `${ACME}/accounts/%ZZ`,
      `${ACME}/keys/%`,
    ])
      expect((await call('alice', 'GET', path)).status, path).toBe(400);
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const body of [
      deep,
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
    ]) {
      const answer = await call('alice', 'POST', `${ACME}/keys`, body);
      expectClientError(answer, body.slice(0, 30));
      expect(answer.status).toBe(400);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('bounds the live event streams a user holds, frees a slot when one closes, and checks the role first', async () => {
    const open = async (user: string) => {
      const abort = new AbortController();
      if (!tokens.has(user)) tokens.set(user, await stack.tokenFor(user));
      const response = await fetch(`${stack.endpoints.bff}${ACME}/events`, {
        headers: { Authorization: `Bearer ${tokens.get(user)}` },
        signal: abort.signal,
      });
      if (response.status === 200) await response.body?.getReader().read();
      return {
        status: response.status,
        body: (response.status === 200 ? {} : await response.json()) as Record<string, unknown>,
        close: () => abort.abort(),
      };
    };
    const held = [await open('alice'), await open('alice'), await open('alice')];
    expect(held.map((stream) => stream.status)).toEqual([200, 200, 200]);
    const refused = await open('alice');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'TOO_MANY_STREAMS' });
    const other = await open('victor');
    expect(other.status).toBe(200);
    expect((await open('mallory')).status).toBe(403);
    held[0]?.close();
    let again: Awaited<ReturnType<typeof open>> | undefined;
    await eventually(
      async () => {
        again?.close();
        again = await open('alice');
        return again.status === 200;
      },
      TIMEOUTS.converge,
      'a freed stream slot',
    );
    for (const stream of [...held, other, again]) stream?.close();
  });

  it('limits each signed-in user, whatever X-Forwarded-For says, and leaves other users their own budget', async () => {
    let limited: Answer | undefined;
    for (let index = 0; index < 700 && !limited; index++) {
      const answer = await call('victor', 'GET', `${ACME}/openkcm`, undefined, {
        'X-Forwarded-For': `203.0.113.${index % 250}`,
      });
      if (answer.status === 429) limited = answer;
    }
    expect(limited?.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect((await call('alice', 'GET', `${ACME}/openkcm`)).status).toBe(200);
  });

  it(
    'never answers 5xx, always with the error shape, to generated hostile requests on every route',
    async () => {
      const before = await call('alice', 'GET', `${ACME}/accounts`);
      const segment = hostileSegment();
      const body = hostileBody();
      const query = fc.dictionary(
        fc.constantFrom('account', 'limit', 'since', '__proto__', 'a[b]'),
        fc.string({ maxLength: 20 }),
      );
      const request = fc.record({
        // Disabling OpenKCM is a legitimate change whatever comes with it: left out.
        route: fc.constantFrom(
          ...ROUTES.filter(
            (entry) =>
              entry.path.includes(':workspace') &&
              !(entry.method === 'delete' && entry.path.endsWith('/openkcm')),
          ),
        ),
        name: segment,
        body,
        query,
        user: fc.constantFrom('alice', 'victor', 'mallory'),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ route, name, body: text, query: params, user }) => {
          const path = `/api/v1${route.path}`.replace(':workspace', 'root:orgs:acme').replace(':name', name);
          const search = new URLSearchParams(params as Record<string, string>).toString();
          const method = route.method.toUpperCase();
          const answer = await call(
            user,
            method,
            `${path}${search ? `?${search}` : ''}`,
            method === 'GET' ? undefined : text,
          );
          expect(answer.status, `${method} ${path}`).toBeLessThan(500);
          if (answer.status >= 400) expectClientError(answer, `${method} ${path}`);
        }),
        { numRuns: 150 },
      );
      // Nothing was written, and the BFF still serves.
      const after = await call('alice', 'GET', `${ACME}/accounts`);
      expect(after.body).toEqual(before.body);
      expect((await fetch(`${stack.endpoints.bff}/healthz`)).status).toBe(200);
    },
    TIMEOUTS.longTest,
  );
});
