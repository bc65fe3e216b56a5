import { API_VERSION, CMK_CLEANUP_FINALIZER } from '@openkcm/api';
import { clusterOf, type KubeClient, KubeError, type KubeObject, keychainPath } from '@openkcm/kube-client';
import { tenantPath } from '../cmk-client.js';
import { type ControllerContext, cmkMessage, type ReconcileResult } from '../context.js';
import type { ObjectRef } from '../object-key.js';
import { type DesiredCondition, kubeTime, withConditions, writeStatus } from '../status.js';

export const OPENKCM_EXPORT = 'keychain.openkcm.io';

function bindsOpenKcm(binding: KubeObject): boolean {
  const reference = binding.spec?.reference as { export?: { name?: string } } | undefined;
  return reference?.export?.name === OPENKCM_EXPORT && !binding.metadata.deletionTimestamp;
}

/** OpenKCM is enabled in a workspace while an APIBinding to its export exists there. */
export function isBound(ctx: ControllerContext, workspace: string): boolean {
  return ctx.caches.bindings(workspace).some(bindsOpenKcm);
}

/**
 * Suspending a tenant stops its keys, so it is never done on the cache's word alone (a cache can
 * lag a restart or a relist): the API server itself must show no binding.
 */
async function isUnboundInApi(ctx: ControllerContext, workspace: string): Promise<boolean> {
  const list = await ctx.platform
    .request<{ items?: KubeObject[] }>('GET', `/clusters/${workspace}/apis/apis.kcp.io/v1alpha1/apibindings`)
    .catch((error: unknown) => {
      // A workspace that no longer exists binds nothing.
      if (error instanceof KubeError && error.status === 404) return { items: [] };
      throw error;
    });
  return !(list.items ?? []).some(bindsOpenKcm);
}

/**
 * FR-101/102: the Tenant of a bound workspace exists and is Active in CMK; when the binding goes
 * the Tenant is Suspended (its keys stop working), and binding again resumes the same one.
 */
export async function reconcileTenant(ctx: ControllerContext, ref: ObjectRef): Promise<ReconcileResult> {
  const workspace = ref.cluster;
  const path = keychainPath(workspace, ref.namespace, 'tenants', ref.name);
  // The binding exists but the cache has not seen it yet: its event will arrive.
  const bound = isBound(ctx, workspace) || !(await isUnboundInApi(ctx, workspace));
  // A workspace that unbound the export has left the virtual workspace; only the control plane
  // itself still shows its Tenant, to record the suspension on it.
  const kube = bound ? ctx.kube : ctx.platform;
  const existing = await kube.get(path).catch((error: unknown) => {
    if (error instanceof KubeError && error.status === 404) return undefined;
    throw error;
  });
  let current: KubeObject;
  if (existing) current = existing;
  else {
    if (!bound) return {};
    // An offboarded workspace stays so until it binds OpenKCM anew (disable, then enable).
    if (await purgedSinceBinding(ctx, workspace)) return {};
    const created = await ctx.kube.request('POST', keychainPath(workspace, ref.namespace, 'tenants'), {
      apiVersion: API_VERSION,
      kind: 'Tenant',
      metadata: { name: ref.name },
      spec: { displayName: workspace },
    });
    await writeStatus(
      ctx.kube,
      path,
      created,
      {
        phase: 'Provisioning',
        workspace,
        observedGeneration: created.metadata.generation,
        conditions: withConditions(
          created,
          [
            {
              type: 'Ready',
              status: 'Unknown',
              reason: 'Provisioning',
              message: 'provisioning the tenant in CMK',
            },
          ],
          ctx.now(),
        ),
      },
      ctx.now(),
    );
    current = await ctx.kube.get(path);
  }
  const tenant = current;
  const now = ctx.now();
  const spec = tenant.spec ?? {};
  const report = (
    phase: string | undefined,
    ready: Omit<DesiredCondition, 'type'>,
    extra: Record<string, unknown> = {},
  ) =>
    writeStatus(
      kube,
      path,
      tenant,
      {
        ...(phase ? { phase } : {}),
        workspace,
        observedGeneration: tenant.metadata.generation,
        ...extra,
        conditions: withConditions(tenant, [{ type: 'Ready', ...ready }], now),
      },
      now,
    );
  if (tenant.metadata.deletionTimestamp) return offboard(ctx, kube, path, tenant, report);
  if (bound && !(tenant.metadata.finalizers ?? []).includes(CMK_CLEANUP_FINALIZER)) {
    await kube.mergePatch(path, {
      metadata: {
        finalizers: [...(tenant.metadata.finalizers ?? []), CMK_CLEANUP_FINALIZER],
        resourceVersion: tenant.metadata.resourceVersion,
      },
    });
    return { requeueAfterMs: 0 };
  }
  if (!bound) {
    const suspended = await ctx.cmk.call('POST', `${tenantPath(workspace)}/suspend`);
    // 412: offboarding or purged already, which is more than suspended.
    if (suspended.status !== 200 && suspended.status !== 404 && suspended.status !== 412)
      throw new Error(`CMK could not suspend ${workspace}: ${cmkMessage(suspended.body)}`);
    await report('Suspended', {
      status: 'False',
      reason: 'OpenKCMDisabled',
      message:
        'OpenKCM is disabled in this workspace, so its keys do not work. Enable OpenKCM again to resume the same tenant.',
    });
    return {};
  }
  const boundSince = bindingTime(ctx, workspace);
  const provisioned = await ctx.cmk.call('PUT', tenantPath(workspace), {
    ...(spec.region ? { region: spec.region } : {}),
    // Always sent: removing spec.audiences lifts the restriction in CMK too.
    audiences: Array.isArray(spec.audiences) ? spec.audiences : [],
    ...(boundSince ? { boundSince } : {}),
  });
  if (provisioned.status === 412) {
    await report('Suspended', {
      status: 'False',
      reason: 'Offboarded',
      message: cmkMessage(provisioned.body),
    });
    return {};
  }
  if (provisioned.status === 400) {
    await report('Provisioning', {
      status: 'False',
      reason: 'InvalidSpec',
      message: `${cmkMessage(provisioned.body)}. Fix spec.region or spec.audiences.`,
    });
    return {};
  }
  if (provisioned.status !== 200 && provisioned.status !== 201)
    throw new Error(`CMK could not provision ${workspace}: ${cmkMessage(provisioned.body)}`);
  if (provisioned.body.state === 'SUSPENDED') {
    const resumed = await ctx.cmk.call('POST', `${tenantPath(workspace)}/resume`);
    if (resumed.status !== 200)
      throw new Error(`CMK could not resume ${workspace}: ${cmkMessage(resumed.body)}`);
  }
  await report(
    'Active',
    { status: 'True', reason: 'Active', message: 'the tenant is provisioned in CMK and its keys work' },
    { cmkTenantID: String(provisioned.body.id ?? '') },
  );
  return {};
}

type Report = (
  phase: string | undefined,
  ready: Omit<DesiredCondition, 'type'>,
  extra?: Record<string, unknown>,
) => Promise<void>;

/** When the workspace's binding to OpenKCM was made (RFC 3339), if the cache holds it. */
function bindingTime(ctx: ControllerContext, workspace: string): string | undefined {
  return ctx.caches.bindings(workspace).find(bindsOpenKcm)?.metadata.creationTimestamp;
}

/** Whether CMK purged this workspace's tenant after its current binding was made. */
async function purgedSinceBinding(ctx: ControllerContext, workspace: string): Promise<boolean> {
  const known = await ctx.cmk.call('GET', tenantPath(workspace));
  if (known.status !== 200 || known.body.state !== 'PURGED') return false;
  const bound = Date.parse(bindingTime(ctx, workspace) ?? '');
  return !(bound > Date.parse(String(known.body.purgedAt)));
}

/**
 * A deleted Tenant offboards: CMK puts every key and Account in the deletion waiting period and
 * purges the tenant when it ends; the Tenant stays, Offboarding with the date, until then.
 */
async function offboard(
  ctx: ControllerContext,
  kube: KubeClient,
  path: string,
  tenant: KubeObject,
  report: Report,
): Promise<ReconcileResult> {
  const finalizers = tenant.metadata.finalizers ?? [];
  if (!finalizers.includes(CMK_CLEANUP_FINALIZER)) return {};
  const workspace = clusterOf(tenant);
  const offboarded = await ctx.cmk.call('POST', `${tenantPath(workspace)}/offboard`);
  if (offboarded.status === 412) {
    await report(undefined, {
      status: 'False',
      reason: 'OffboardingBlocked',
      message: cmkMessage(offboarded.body),
    });
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (offboarded.status !== 200 && offboarded.status !== 404)
    throw new Error(`CMK could not offboard ${workspace}: ${cmkMessage(offboarded.body)}`);
  if (offboarded.status === 404 || offboarded.body.state === 'PURGED') {
    await kube.mergePatch(path, {
      metadata: {
        finalizers: finalizers.filter((item) => item !== CMK_CLEANUP_FINALIZER),
        resourceVersion: tenant.metadata.resourceVersion,
      },
    });
    return {};
  }
  const purgeAfter = kubeTime(String(offboarded.body.purgeAfter));
  await report(
    'Offboarding',
    {
      status: 'False',
      reason: 'Offboarding',
      message: `the Tenant was deleted: every key is in its deletion waiting period (decryption refused) and CMK destroys the keys and purges the tenant on ${purgeAfter}`,
    },
    { purgeAfter },
  );
  return {
    requeueAfterMs: Math.min(
      Math.max(1000, Date.parse(purgeAfter) - ctx.now().getTime() + 1000),
      ctx.revalidateMs,
    ),
  };
}
