import { X509Certificate } from 'node:crypto';
import { CMK_CLEANUP_FINALIZER, EDGE_CREDENTIAL_KEYS, edgeCredentialsSecret } from '@openkcm/api';
import { KubeError, type KubeObject, keychainPath } from '@openkcm/kube-client';
import { tenantPath } from '../cmk-client.js';
import { type ControllerContext, cmkMessage, type ReconcileResult } from '../context.js';
import { keyOf, type ObjectRef } from '../object-key.js';
import { kubeTime, withConditions, writeStatus } from '../status.js';
import { isBound } from './tenant.js';

/** How often connection state and active clients are read from CMK while an edge exists. */
const OBSERVE_EVERY_MS = 15_000;
const EDGE_ID_ANNOTATION = 'keychain.openkcm.io/cmk-edge-id';
const VALIDITY_ANNOTATION = 'keychain.openkcm.io/certificate-validity-hours';

interface CmkEdge {
  id: string;
  name: string;
  connected: boolean;
  lastSeen: string | null;
}

const absent = (error: unknown) => error instanceof KubeError && error.status === 404;

/**
 * A CryptoEdge is enrolled in CMK and its client certificate kept fresh in `<edge>-credentials`
 * (re-issued when a third of its life is left, when its validity changes, or when CMK's
 * registration is not the one the certificate names); deleting the CryptoEdge deregisters the
 * edge in CMK, which refuses its certificates from then on. Status mirrors what CMK sees.
 */
export async function reconcileCryptoEdge(ctx: ControllerContext, ref: ObjectRef): Promise<ReconcileResult> {
  const path = keychainPath(ref.cluster, ref.namespace, 'cryptoedges', ref.name);
  const edge = await ctx.kube.get(path).catch((error: unknown) => {
    if (absent(error)) return undefined;
    throw error;
  });
  if (!edge) return {};
  const finalizers = edge.metadata.finalizers ?? [];
  if (!isBound(ctx, ref.cluster) && !finalizers.includes(CMK_CLEANUP_FINALIZER)) return {};
  const secretName = edgeCredentialsSecret(ref.name);
  const secretPath = `/clusters/${ref.cluster}/api/v1/namespaces/${ref.namespace}/secrets/${secretName}`;
  const cmkEdge = `${tenantPath(ref.cluster)}/edges/${encodeURIComponent(ref.name)}`;

  if (edge.metadata.deletionTimestamp) {
    if (!finalizers.includes(CMK_CLEANUP_FINALIZER)) return {};
    const revoked = await ctx.cmk.call('DELETE', cmkEdge);
    if (revoked.status !== 200 && revoked.status !== 404)
      throw new Error(`CMK refused to deregister the edge: ${cmkMessage(revoked.body)}`);
    await ctx.kube.request('DELETE', secretPath).catch((error: unknown) => {
      if (!absent(error)) throw error;
    });
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: finalizers.filter((item) => item !== CMK_CLEANUP_FINALIZER),
        resourceVersion: edge.metadata.resourceVersion,
      },
    });
    return {};
  }
  if (!finalizers.includes(CMK_CLEANUP_FINALIZER)) {
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: [...finalizers, CMK_CLEANUP_FINALIZER],
        resourceVersion: edge.metadata.resourceVersion,
      },
    });
    return { requeueAfterMs: 0 };
  }

  const now = ctx.now();
  const validityHours = Number(
    (edge.spec as { certificateValidityHours?: number }).certificateValidityHours ?? 8,
  );
  const listed = await ctx.cmk.call('GET', `${tenantPath(ref.cluster)}/edges`);
  if (listed.status === 404 || listed.status === 412) {
    await writeStatus(
      ctx.kube,
      path,
      edge,
      {
        phase: 'Pending',
        observedGeneration: edge.metadata.generation,
        conditions: withConditions(
          edge,
          [{ type: 'Ready', status: 'False', reason: 'TenantNotReady', message: cmkMessage(listed.body) }],
          now,
        ),
      },
      now,
    );
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (listed.status !== 200) throw new Error(`CMK could not list the edges: ${cmkMessage(listed.body)}`);
  const registered = (listed.body.items as CmkEdge[]).find((item) => item.name === ref.name);
  const activeClients = (listed.body.activeClients ?? {}) as Record<string, string[]>;

  const secret = await ctx.kube.get(secretPath).catch((error: unknown) => {
    if (absent(error)) return undefined;
    throw error;
  });
  const certificate = certificateIn(secret);
  const issuedFor = secret?.metadata.annotations?.[EDGE_ID_ANNOTATION];
  const renewAt = certificate
    ? certificate.notAfter - (certificate.notAfter - certificate.notBefore) / 3
    : Number.NEGATIVE_INFINITY;
  let edgeId = registered?.id;
  let notAfter = certificate?.notAfter;
  if (
    !registered ||
    !certificate ||
    issuedFor !== registered.id ||
    secret?.metadata.annotations?.[VALIDITY_ANNOTATION] !== String(validityHours) ||
    now.getTime() >= renewAt
  ) {
    const enrolled = await ctx.cmk.call('PUT', cmkEdge, { validityHours });
    if (enrolled.status === 412) {
      // The tenant is suspended (OpenKCM disabled): no certificate until it is enabled again.
      await writeStatus(
        ctx.kube,
        path,
        edge,
        {
          phase: 'Pending',
          connected: false,
          observedGeneration: edge.metadata.generation,
          conditions: withConditions(
            edge,
            [
              {
                type: 'Ready',
                status: 'False',
                reason: 'TenantSuspended',
                message: cmkMessage(enrolled.body),
              },
            ],
            now,
          ),
        },
        now,
      );
      return { requeueAfterMs: ctx.revalidateMs, backoff: true };
    }
    if (enrolled.status !== 200 && enrolled.status !== 201)
      throw new Error(`CMK could not enroll the edge: ${cmkMessage(enrolled.body)}`);
    const body = enrolled.body as {
      edge: { id: string };
      certificate: { certificatePem: string; privateKeyPem: string; notAfter: string };
      cmk: { url: string; caPem: string };
    };
    edgeId = body.edge.id;
    notAfter = Date.parse(body.certificate.notAfter);
    await writeSecret(ctx, secretPath, secret, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: secretName,
        namespace: ref.namespace,
        annotations: { [EDGE_ID_ANNOTATION]: body.edge.id, [VALIDITY_ANNOTATION]: String(validityHours) },
        labels: { 'keychain.openkcm.io/crypto-edge': ref.name },
      },
      data: base64Values({
        [EDGE_CREDENTIAL_KEYS.cert]: body.certificate.certificatePem,
        [EDGE_CREDENTIAL_KEYS.key]: body.certificate.privateKeyPem,
        [EDGE_CREDENTIAL_KEYS.cmkCa]: body.cmk.caPem,
        [EDGE_CREDENTIAL_KEYS.cmkUrl]: body.cmk.url,
      }),
    });
  }

  // Keys whose active clients changed are reconciled, which mirrors the count into their status.
  for (const key of ctx.caches.keys(ref.cluster)) {
    const count = activeClients[key.metadata.name ?? '']?.length ?? 0;
    if (((key.status?.activeClients as number | undefined) ?? 0) !== count)
      ctx.queue.add(
        keyOf({
          kind: 'ServiceEncryptionKey',
          cluster: ref.cluster,
          namespace: key.metadata.namespace ?? 'default',
          name: key.metadata.name ?? '',
        }),
      );
  }
  const connected = registered?.connected ?? false;
  const workloads = new Set(Object.values(activeClients).flat());
  await writeStatus(
    ctx.kube,
    path,
    edge,
    {
      phase: connected ? 'Connected' : registered?.lastSeen ? 'Disconnected' : 'Enrolled',
      cmkEdgeID: edgeId,
      secretName,
      ...(notAfter ? { certificateNotAfter: kubeTime(new Date(notAfter).toISOString()) } : {}),
      connected,
      ...(registered?.lastSeen ? { lastSeen: kubeTime(registered.lastSeen) } : {}),
      activeWorkloads: workloads.size,
      observedGeneration: edge.metadata.generation,
      conditions: withConditions(
        edge,
        [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Enrolled',
            message: `the client certificate is in Secret ${secretName}; mount it into the edge (it renews itself before expiry)`,
          },
          connected
            ? {
                type: 'Connected',
                status: 'True',
                reason: 'StreamOpen',
                message: 'CMK is streaming changes to this edge',
              }
            : {
                type: 'Connected',
                status: 'False',
                reason: registered?.lastSeen ? 'NotSeen' : 'NeverConnected',
                message: registered?.lastSeen
                  ? `CMK last heard from this edge at ${kubeTime(registered.lastSeen)}`
                  : 'no edge has connected with this certificate yet',
              },
        ],
        now,
      ),
    },
    now,
  );
  return { requeueAfterMs: OBSERVE_EVERY_MS };
}

function base64Values(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
}

function certificateIn(secret: KubeObject | undefined): { notBefore: number; notAfter: number } | undefined {
  const pem = (secret as { data?: Record<string, string> } | undefined)?.data?.[EDGE_CREDENTIAL_KEYS.cert];
  if (!pem) return undefined;
  try {
    const certificate = new X509Certificate(Buffer.from(pem, 'base64'));
    return { notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
  } catch {
    return undefined;
  }
}

async function writeSecret(
  ctx: ControllerContext,
  path: string,
  existing: KubeObject | undefined,
  secret: KubeObject & { data: Record<string, string>; type: string },
): Promise<void> {
  if (!existing) {
    await ctx.kube.request('POST', path.slice(0, path.lastIndexOf('/')), secret);
    return;
  }
  await ctx.kube.request('PUT', path, {
    ...secret,
    metadata: { ...secret.metadata, resourceVersion: existing.metadata.resourceVersion },
  });
}
