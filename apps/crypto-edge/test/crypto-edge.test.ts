import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { edgeCredentialsSecret } from '@openkcm/api';
import { KubeClient } from '@openkcm/kube-client';
import { LocalSpiffeIssuer } from '@openkcm/spiffe/local-issuer';
import {
  errorShapeProblems,
  eventually,
  hostileBody,
  hostileSegment,
  startTestStack,
  type TestStack,
  TIMEOUTS,
  Workspace,
} from '@openkcm/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEdge } from '../src/edge.js';
import { kmsKeyId, loadKmsService } from '../src/kms-v2.js';
import {
  BILLING,
  b64,
  call,
  edgeReady,
  keychainIn,
  mtlsJson,
  ORDERS,
  spiffeIssuer,
  startTestEdge,
  text,
  tokenFor,
} from './support.js';

const ACME = 'root:orgs:acme';
const GLOBEX = 'root:orgs:globex';
const APISERVER = 'spiffe://openkcm.local/kube-apiserver';

type KmsClient = grpc.Client &
  Record<
    string,
    (
      request: unknown,
      callback: (error: grpc.ServiceError | null, response: Record<string, unknown>) => void,
    ) => void
  >;

function kmsCall(client: KmsClient, method: 'Status' | 'Encrypt' | 'Decrypt', body: unknown) {
  return new Promise<Record<string, unknown>>((resolve, reject) =>
    client[method]?.(body, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

/**
 * The data plane against real processes: control plane, CMK, controller and the stack's Crypto
 * Edge for acme, plus edges started here (a second one for acme, one for globex). Both
 * organisations hold a key named `orders`.
 */
describe('the Crypto Edge', () => {
  let stack: TestStack;
  let acme: Workspace;
  let globex: Workspace;
  let acmeEdge: string;
  let secondAcmeEdge: RunningEdge;
  let globexEdge: RunningEdge;
  let ordersToken: string;

  beforeAll(async () => {
    stack = await startTestStack();
    acme = new Workspace(stack, 'alice', ACME);
    globex = new Workspace(stack, 'mallory', GLOBEX);
    await Promise.all([
      keychainIn(acme, [
        { name: 'orders', allowedWorkloads: [ORDERS] },
        { name: 'kube-secrets', allowedWorkloads: [APISERVER] },
      ]),
      keychainIn(globex, [{ name: 'orders', allowedWorkloads: ['spiffe://openkcm.local/ns/default/sa/*'] }]),
    ]);
    acmeEdge = stack.endpoints.edge ?? '';
    await edgeReady(acmeEdge);
    [secondAcmeEdge, globexEdge] = await Promise.all([
      startTestEdge(stack, ACME, 'edge-b'),
      startTestEdge(stack, GLOBEX, 'edge'),
    ]);
    ordersToken = await tokenFor(stack, ORDERS, ACME, 'edge');
  }, TIMEOUTS.longTest);

  afterAll(async () => {
    await secondAcmeEdge?.close();
    await globexEdge?.close();
    await stack?.dispose();
  });

  it('encrypts and decrypts for an allowed workload over HTTP, in the format CMK reads too', async () => {
    const sealed = await call(acmeEdge, ordersToken, 'orders', 'encrypt', {
      plaintext: b64('card 4111'),
      context: 'order-1',
    });
    expect(sealed.status).toBe(200);
    expect(sealed.body.ciphertext).toMatch(/^okcm:v1:/);
    const opened = await call(acmeEdge, ordersToken, 'orders', 'decrypt', {
      ciphertext: sealed.body.ciphertext,
      context: 'order-1',
    });
    expect(opened.status).toBe(200);
    expect(text(opened.body.plaintext)).toBe('card 4111');
    // The context is bound: another context does not open it.
    const wrongContext = await call(acmeEdge, ordersToken, 'orders', 'decrypt', {
      ciphertext: sealed.body.ciphertext,
      context: 'order-2',
    });
    expect(wrongContext.status).toBe(422);
    // CMK's own route opens what the edge sealed.
    const viaCmk = await acme.cmk('/keys/orders/decrypt', {
      method: 'POST',
      body: { ciphertext: sealed.body.ciphertext, context: 'order-1' },
    });
    expect(text(viaCmk.plaintext)).toBe('card 4111');
    // Envelope encryption: a data key in plaintext and wrapped; rewrap never returns plaintext.
    const dataKey = await call(acmeEdge, ordersToken, 'orders', 'datakey', { context: 'blob-7' });
    expect(Buffer.from(String(dataKey.body.plaintext), 'base64')).toHaveLength(32);
    const unwrapped = await call(acmeEdge, ordersToken, 'orders', 'decrypt', {
      ciphertext: dataKey.body.ciphertext,
      context: 'blob-7',
    });
    expect(unwrapped.body.plaintext).toBe(dataKey.body.plaintext);
    const rewrapped = await call(acmeEdge, ordersToken, 'orders', 'rewrap', {
      ciphertext: sealed.body.ciphertext,
      context: 'order-1',
    });
    expect(rewrapped.status).toBe(200);
    expect(rewrapped.body).not.toHaveProperty('plaintext');
  });

  it('refuses what it must, clearly, and keeps serving', async () => {
    const issuer = await spiffeIssuer(stack);
    const billing = await tokenFor(stack, BILLING, ACME, 'edge');
    const forbidden = await call(acmeEdge, billing, 'orders', 'encrypt', { plaintext: b64('x') });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toContain('orders');
    expect(forbidden.body.message).toContain(BILLING);
    expect((await call(acmeEdge, undefined, 'orders', 'encrypt', { plaintext: b64('x') })).status).toBe(401);
    const otherAudience = await issuer.jwtSvid(ORDERS, 'openkcm-edge:root:orgs:globex:edge');
    const wrongAudience = await call(acmeEdge, otherAudience, 'orders', 'encrypt', { plaintext: b64('x') });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body.message).toContain('audience');
    expect((await call(acmeEdge, 'not-a-jwt', 'orders', 'encrypt', { plaintext: b64('x') })).status).toBe(
      401,
    );
    expect(
      (await call(acmeEdge, ordersToken, 'no-such-key', 'encrypt', { plaintext: b64('x') })).status,
    ).toBe(404);
    const large = await call(acmeEdge, ordersToken, 'orders', 'encrypt', {
      plaintext: Buffer.alloc(70_000).toString('base64'),
    });
    expect(large.status).toBe(413);
    expect(large.body.message).toContain('65536');
    const sealed = await call(acmeEdge, ordersToken, 'orders', 'encrypt', { plaintext: b64('intact') });
    const ciphertext = String(sealed.body.ciphertext);
    const tampered = `${ciphertext.slice(0, -6)}${ciphertext.slice(-6, -3) === 'AAA' ? 'BBB' : 'AAA'}${ciphertext.slice(-3)}`;
    expect((await call(acmeEdge, ordersToken, 'orders', 'decrypt', { ciphertext: tampered })).status).toBe(
      422,
    );
    expect(
      (await call(acmeEdge, ordersToken, 'orders', 'decrypt', { ciphertext: 'okcm:v1:###' })).status,
    ).toBe(400);
    // globex's key of the same name does not open acme's data, nor acme's edge globex's.
    const globexToken = await tokenFor(stack, ORDERS, GLOBEX, 'edge');
    const foreign = await call(globexEdge.url, globexToken, 'orders', 'encrypt', {
      plaintext: b64('globex data'),
    });
    expect(foreign.status).toBe(200);
    expect(
      (await call(acmeEdge, ordersToken, 'orders', 'decrypt', { ciphertext: foreign.body.ciphertext }))
        .status,
    ).toBe(422);
    expect((await call(globexEdge.url, globexToken, 'orders', 'decrypt', { ciphertext })).status).toBe(422);
    // And the edge still serves.
    const after = await call(acmeEdge, ordersToken, 'orders', 'decrypt', { ciphertext });
    expect(text(after.body.plaintext)).toBe('intact');
  });

  it('answers hostile paths and bodies with a 4xx in the error shape, never a 500, and keeps serving', async () => {
    const answer = async (path: string, body: string, token: string | undefined = ordersToken) => {
      const response = await fetch(`${acmeEdge}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    await fc.assert(
      fc.asyncProperty(
        hostileSegment({ extra: ['orders%2F..', 'ORDERS', 'orders.'] }),
        fc.constantFrom('encrypt', 'decrypt', 'datakey', 'rewrap'),
        hostileBody(
          fc.constantFrom(
            '{"plaintext":"not base64!"}',
            '{"ciphertext":"okcm:v0:AAAA"}',
            `{"ciphertext":"okcm:v${'9'.repeat(12)}:AAAA"}`,
            '{"plaintext":"","context":7}',
          ),
        ),
        async (segment, operation, body) => {
          const result = await answer(`/v1/keys/${segment}/${operation}`, body);
          if (result.status !== 200)
            expect(errorShapeProblems(result), `${segment}/${operation} ${body.slice(0, 80)}`).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
    for (const body of ['{"plaintext":"AAAA"', `${'['.repeat(5000)}${']'.repeat(5000)}`])
      expect(errorShapeProblems(await answer('/v1/keys/orders/encrypt', body)), body.slice(0, 40)).toEqual(
        [],
      );
    // A prototype key is data, never an object's prototype.
    await answer('/v1/keys/orders/encrypt', '{"__proto__":{"x":1},"plaintext":"AAAA"}');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    const still = await call(acmeEdge, ordersToken, 'orders', 'encrypt', { plaintext: b64('still here') });
    expect(still.status).toBe(200);
  });

  it('takes X.509-SVIDs over mTLS: the SPIFFE ID in the certificate decides, a foreign CA never connects', async () => {
    const tlsDir = join(stack.dataDir, 'edge-x509-tls');
    const edge = await startTestEdge(stack, ACME, 'edge-x509', { mtls: { port: 0, tlsDir } });
    try {
      const issuer = await spiffeIssuer(stack);
      const serverCa = await readFile(join(tlsDir, 'ca.crt'), 'utf8');
      const post = (svid: { certPem: string; keyPem: string }, body: unknown) =>
        mtlsJson(
          new URL('/v1/keys/orders/encrypt', edge.mtlsUrl),
          { cert: svid.certPem, key: svid.keyPem, ca: serverCa },
          body,
        );
      const allowed = await post(await issuer.x509Svid(ORDERS), { plaintext: b64('over mTLS') });
      expect(allowed.status).toBe(200);
      const refused = await post(await issuer.x509Svid(BILLING), { plaintext: b64('x') });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain(BILLING);
      // A certificate from a CA outside the trust bundle does not get past the handshake.
      const stranger = await LocalSpiffeIssuer.open(join(stack.dataDir, 'stranger-spiffe'));
      await expect(post(await stranger.x509Svid(ORDERS), { plaintext: b64('x') })).rejects.toThrow();
    } finally {
      await edge.close();
    }
  });

  it("serves only its own tenant to an edge's certificate, and refuses a deregistered edge within seconds", async () => {
    const kube = new KubeClient(
      stack.endpoints.controlPlane ?? '',
      stack.controllerToken,
      stack.controlPlaneCa,
    );
    const secret = (await kube.get(
      `/clusters/${ACME}/api/v1/namespaces/default/secrets/${edgeCredentialsSecret('edge-b')}`,
    )) as unknown as { data: Record<string, string> };
    const value = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString('utf8');
    const edgeCall = (path: string) =>
      mtlsJson(new URL(path, value('cmk-url')), {
        cert: value('tls.crt'),
        key: value('tls.key'),
        ca: value('ca.crt'),
      });
    const own = await edgeCall('/edge/v1/keys/orders');
    expect(own.status).toBe(200);
    await globex.create('serviceencryptionkeys', 'ServiceEncryptionKey', 'ledger', {
      accountRef: { name: 'main' },
    });
    await globex.waitFor(
      'serviceencryptionkeys',
      'ledger',
      (key) => key?.status?.phase === 'Active',
      'globex key ledger Active',
    );
    const foreign = await edgeCall('/edge/v1/keys/ledger');
    expect(foreign.status).toBe(404);
    expect(String(foreign.body.message)).toContain(ACME);

    // kubectl users see the edges and whether they are connected.
    const listed = await acme.waitFor(
      'cryptoedges',
      'edge-b',
      (edge) => (edge?.status as { connected?: boolean } | undefined)?.connected === true,
      'edge-b shows as connected',
    );
    expect(listed?.status?.phase).toBe('Connected');

    await acme.remove('cryptoedges', 'edge-b');
    const started = Date.now();
    await eventually(
      async () => (await edgeCall('/edge/v1/keys/orders')).status === 403,
      10_000,
      'CMK refuses the deregistered edge',
      100,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // The edge itself stops serving: CMK closed its stream and refuses it.
    const token = await tokenFor(stack, ORDERS, ACME, 'edge-b');
    await eventually(
      async () =>
        (await call(secondAcmeEdge.url, token, 'orders', 'encrypt', { plaintext: b64('x') })).status === 503,
      TIMEOUTS.converge,
      'the deregistered edge refuses to serve',
      200,
    );
    await secondAcmeEdge.close();
    secondAcmeEdge = await startTestEdge(stack, ACME, 'edge-c');
  });

  it('uses the new version at once after a rotation, and old ciphertexts still decrypt', async () => {
    const before = await call(acmeEdge, ordersToken, 'orders', 'encrypt', {
      plaintext: b64('before rotation'),
    });
    const version = Number(before.body.version);
    await acme.rotateNow('orders', `rotate-${Date.now()}`);
    await eventually(
      async () =>
        Number(
          (await call(acmeEdge, ordersToken, 'orders', 'encrypt', { plaintext: b64('after') })).body.version,
        ) ===
        version + 1,
      TIMEOUTS.converge,
      `the edge encrypts with version ${version + 1}`,
      100,
    );
    const old = await call(acmeEdge, ordersToken, 'orders', 'decrypt', {
      ciphertext: before.body.ciphertext,
    });
    expect(text(old.body.plaintext)).toBe('before rotation');
  });

  it('serves Kubernetes KMS v2 on its socket, and the key ID follows rotation', async () => {
    const Service = loadKmsService();
    const client = new Service(
      `unix:${stack.endpoints.edgeKmsSocket}`,
      grpc.credentials.createInsecure(),
    ) as unknown as KmsClient;
    try {
      const status = await kmsCall(client, 'Status', {});
      expect(status).toMatchObject({ version: 'v2', healthz: 'ok', key_id: kmsKeyId('kube-secrets', 1) });
      const secret = Buffer.from('{"kind":"Secret","data":{"password":"hunter2"}}');
      const sealed = await kmsCall(client, 'Encrypt', { plaintext: secret, uid: 'req-1' });
      expect(sealed.key_id).toBe(kmsKeyId('kube-secrets', 1));
      expect(Buffer.from(sealed.ciphertext as Buffer).includes('hunter2')).toBe(false);
      await acme.rotateNow('kube-secrets', 'kms-rotation');
      await eventually(
        async () => (await kmsCall(client, 'Status', {})).key_id === kmsKeyId('kube-secrets', 2),
        TIMEOUTS.converge,
        'KMS Status reports the rotated key ID',
        200,
      );
      const opened = await kmsCall(client, 'Decrypt', {
        ciphertext: sealed.ciphertext,
        uid: 'req-2',
        key_id: sealed.key_id,
      });
      expect(Buffer.from(opened.plaintext as Buffer).equals(secret)).toBe(true);
      const resealed = await kmsCall(client, 'Encrypt', { plaintext: secret, uid: 'req-3' });
      expect(resealed.key_id).toBe(kmsKeyId('kube-secrets', 2));
    } finally {
      client.close();
    }
  });

  it('refuses a key at every edge once it is disabled in the console, and serves it again when enabled', async () => {
    const tokenB = await tokenFor(stack, ORDERS, ACME, 'edge-c');
    const sealed = await call(acmeEdge, ordersToken, 'orders', 'encrypt', { plaintext: b64('disable me') });
    expect(
      (await call(secondAcmeEdge.url, tokenB, 'orders', 'decrypt', { ciphertext: sealed.body.ciphertext }))
        .status,
    ).toBe(200);
    const bff = async (state: string) => {
      const response = await fetch(`${stack.endpoints.bff}/api/v1/workspaces/${ACME}/keys/orders`, {
        method: 'PATCH',
        headers: {
          Authorization: `Bearer ${await stack.tokenFor('alice')}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ state }),
      });
      expect(response.status).toBe(200);
    };
    await bff('Disabled');
    for (const [url, token] of [
      [acmeEdge, ordersToken],
      [secondAcmeEdge.url, tokenB],
    ] as const)
      await eventually(
        async () =>
          (await call(url, token, 'orders', 'decrypt', { ciphertext: sealed.body.ciphertext })).status ===
          422,
        TIMEOUTS.converge,
        `the edge at ${url} refuses the disabled key`,
        50,
      );
    const refused = await call(acmeEdge, ordersToken, 'orders', 'decrypt', {
      ciphertext: sealed.body.ciphertext,
    });
    expect(refused.body.message).toContain('disabled');
    await bff('Enabled');
    await eventually(
      async () =>
        (await call(secondAcmeEdge.url, tokenB, 'orders', 'decrypt', { ciphertext: sealed.body.ciphertext }))
          .status === 200,
      TIMEOUTS.converge,
      'the re-enabled key is served again',
      100,
    );
  });

  it('reports active clients into status.activeClients', async () => {
    await call(globexEdge.url, await tokenFor(stack, BILLING, GLOBEX, 'edge'), 'orders', 'encrypt', {
      plaintext: b64('x'),
    });
    await call(globexEdge.url, await tokenFor(stack, ORDERS, GLOBEX, 'edge'), 'orders', 'encrypt', {
      plaintext: b64('x'),
    });
    const key = await globex.waitFor(
      'serviceencryptionkeys',
      'orders',
      (resource) => (resource?.status as { activeClients?: number } | undefined)?.activeClients === 2,
      'globex orders shows 2 active clients',
      500,
    );
    expect((key?.status as { activeWorkloads?: string[] } | undefined)?.activeWorkloads).toEqual([
      BILLING,
      ORDERS,
    ]);
    // acme's key of the same name counts only acme's workloads.
    const acmeOrders = await acme.get('serviceencryptionkeys', 'orders');
    expect(
      (acmeOrders?.status as { activeWorkloads?: string[] } | undefined)?.activeWorkloads ?? [],
    ).not.toContain(BILLING);
    // Usage shows in the tenant's audit trail, aggregated per workload and minute.
    const audit = (await globex.cmk('/audit?limit=200')) as {
      items: Array<{ action: string; actor: string; subject: string }>;
    };
    expect(
      audit.items.some(
        (item) => item.action === 'key.use' && item.actor === BILLING && item.subject === 'orders',
      ),
    ).toBe(true);
  });

  it('serves within the partition bound while CMK is down, then fails closed, and recovers', async () => {
    const bounded = await startTestEdge(stack, ACME, 'edge-partition', {
      // Longer than a heartbeat gap (5 s) plus a slow CMK shutdown, so the first check is inside it.
      partitionBoundMs: 20_000,
    });
    try {
      const token = await tokenFor(stack, ORDERS, ACME, 'edge-partition');
      const sealed = await call(bounded.url, token, 'orders', 'encrypt', { plaintext: b64('partition') });
      expect(sealed.status).toBe(200);
      await stack.restart('cmk', 'SIGTERM', async () => {
        // Inside the bound: keys it holds are served.
        const during = await call(bounded.url, token, 'orders', 'decrypt', {
          ciphertext: sealed.body.ciphertext,
        });
        expect(during.status).toBe(200);
        await eventually(
          async () =>
            (await call(bounded.url, token, 'orders', 'decrypt', { ciphertext: sealed.body.ciphertext }))
              .status === 503,
          TIMEOUTS.converge,
          'the edge fails closed after the partition bound',
          250,
        );
        const closed = await call(bounded.url, token, 'orders', 'decrypt', {
          ciphertext: sealed.body.ciphertext,
        });
        expect(closed.body.message).toContain('partition bound');
      });
      await eventually(
        async () =>
          (await call(bounded.url, token, 'orders', 'decrypt', { ciphertext: sealed.body.ciphertext }))
            .status === 200,
        TIMEOUTS.converge,
        'the edge serves again once CMK is back',
        250,
      );
    } finally {
      await bounded.close();
    }
  });

  it('needs CMK after kill -9 and loses nothing', async () => {
    const sealed = await call(acmeEdge, ordersToken, 'orders', 'encrypt', { plaintext: b64('survives') });
    await stack.restart('edge', 'SIGKILL');
    await edgeReady(acmeEdge);
    const opened = await call(acmeEdge, ordersToken, 'orders', 'decrypt', {
      ciphertext: sealed.body.ciphertext,
    });
    expect(text(opened.body.plaintext)).toBe('survives');
  });

  it('renews its certificate under traffic without a failed call', async () => {
    const token = await tokenFor(stack, ORDERS, ACME, 'edge-c');
    const before = secondAcmeEdge.certificateNotAfter();
    let stop = false;
    const failures: number[] = [];
    let calls = 0;
    const traffic = (async () => {
      while (!stop) {
        const answer = await call(secondAcmeEdge.url, token, 'orders', 'encrypt', {
          plaintext: b64('traffic'),
        });
        calls += 1;
        if (answer.status !== 200) failures.push(answer.status);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await secondAcmeEdge.renewCertificate();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A fresh key the edge has never held must come over the new certificate.
    await acme.rotateNow('orders', `after-renewal-${Date.now()}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stop = true;
    await traffic;
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(10);
    expect(secondAcmeEdge.certificateNotAfter()).toBeGreaterThan(before ?? 0);
  });

  it("issues certificates as long as the CryptoEdge's certificateValidityHours says", async () => {
    const kube = new KubeClient(
      stack.endpoints.controlPlane ?? '',
      stack.controllerToken,
      stack.controlPlaneCa,
    );
    const lifetimeHours = async () => {
      const secret = (await kube.get(
        `/clusters/${ACME}/api/v1/namespaces/default/secrets/${edgeCredentialsSecret('edge-c')}`,
      )) as unknown as { data: Record<string, string> };
      const certificate = new X509Certificate(Buffer.from(secret.data['tls.crt'] ?? '', 'base64'));
      return (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / 3_600_000;
    };
    expect(Math.round(await lifetimeHours())).toBe(8);
    await acme.patch('cryptoedges', 'edge-c', { spec: { certificateValidityHours: 2 } });
    await eventually(
      async () => Math.round(await lifetimeHours()) === 2,
      TIMEOUTS.converge,
      'the controller re-issues the certificate of edge-c for 2 hours',
      250,
    );
  });
});
