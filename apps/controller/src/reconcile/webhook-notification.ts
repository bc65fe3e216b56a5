import { CMK_CLEANUP_FINALIZER, type WebHookNotificationSpec } from '@openkcm/api';
import { KubeError, keychainPath } from '@openkcm/kube-client';
import { tenantPath } from '../cmk-client.js';
import { type ControllerContext, cmkMessage, type ReconcileResult } from '../context.js';
import type { ObjectRef } from '../object-key.js';
import { type DesiredCondition, kubeTime, withConditions, writeStatus } from '../status.js';
import { isBound } from './tenant.js';

/** What CMK reports of a webhook's deliveries (never its secret). */
interface CmkWebhook {
  enabled: boolean;
  lastDelivery: {
    time: string;
    event: string;
    httpStatus: number | null;
    succeeded: boolean;
    message: string | null;
  } | null;
  consecutiveFailures: number;
  delivered: number;
  dropped: number;
}

interface Problem {
  field: string;
  reason: string;
  message: string;
}

const absent = (error: unknown) => error instanceof KubeError && error.status === 404;

/**
 * A WebHookNotification is declared to CMK, which delivers the tenant's events to it (CMK holds
 * the events, in the audit trail written with each change, so it is the one to deliver them).
 * The controller reads the signing Secret from the workspace — CMK never reads tenant Secrets —
 * and mirrors CMK's delivery state into status, woken by CMK's feed of delivery changes. Anything
 * wrong with the declaration is a Ready=False condition saying what to fix; CMK then delivers
 * nothing to it.
 */
export async function reconcileWebHookNotification(
  ctx: ControllerContext,
  ref: ObjectRef,
): Promise<ReconcileResult> {
  const path = keychainPath(ref.cluster, ref.namespace, 'webhooknotifications', ref.name);
  const hook = await ctx.kube.get(path).catch((error: unknown) => {
    if (absent(error)) return undefined;
    throw error;
  });
  if (!hook) return {};
  const finalizers = hook.metadata.finalizers ?? [];
  const cmkHook = `${tenantPath(ref.cluster)}/webhooks/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`;
  const now = ctx.now();

  if (hook.metadata.deletionTimestamp) {
    if (!finalizers.includes(CMK_CLEANUP_FINALIZER)) return {};
    const forgotten = await ctx.cmk.call('DELETE', cmkHook);
    if (forgotten.status >= 300 && forgotten.status !== 404)
      throw new Error(`CMK refused to forget the webhook: ${cmkMessage(forgotten.body)}`);
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: finalizers.filter((item) => item !== CMK_CLEANUP_FINALIZER),
        resourceVersion: hook.metadata.resourceVersion,
      },
    });
    return {};
  }
  if (!isBound(ctx, ref.cluster) && !finalizers.includes(CMK_CLEANUP_FINALIZER)) return {};
  if (!finalizers.includes(CMK_CLEANUP_FINALIZER)) {
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: [...finalizers, CMK_CLEANUP_FINALIZER],
        resourceVersion: hook.metadata.resourceVersion,
      },
    });
    return { requeueAfterMs: 0 };
  }

  const notReady = async (condition: Omit<DesiredCondition, 'type' | 'status'>, forget: boolean) => {
    // Nothing is delivered under a declaration that is not right (a Secret deleted, a URL now refused).
    if (forget) await ctx.cmk.call('DELETE', cmkHook);
    await writeStatus(
      ctx.kube,
      path,
      hook,
      {
        observedGeneration: hook.metadata.generation,
        conditions: withConditions(hook, [{ type: 'Ready', status: 'False', ...condition }], now),
      },
      now,
    );
  };
  const spec = hook.spec as WebHookNotificationSpec;
  const secret = await readSigningSecret(ctx, ref, spec.signingSecretRef);
  if ('problem' in secret) {
    await notReady(secret.problem, true);
    // A Secret is not watched: look again, less and less often, until it is there.
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  const declared = await ctx.cmk.call('PUT', cmkHook, {
    generation: hook.metadata.generation ?? 1,
    url: spec.url,
    events: spec.events,
    enabled: spec.enabled ?? true,
    signingSecret: secret.value,
  });
  if (declared.status === 400 && Array.isArray((declared.body.details as { problems?: unknown })?.problems)) {
    const problems = (declared.body.details as { problems: Problem[] }).problems;
    await notReady(
      {
        reason: problems.length === 1 ? (problems[0]?.reason ?? 'InvalidSpec') : 'InvalidSpec',
        message: problems
          .map((problem) => `${problem.field}: ${problem.message}`)
          .join('; ')
          .slice(0, 1024),
      },
      false,
    );
    // The URL's host may resolve differently later, and the Secret may be fixed: look again.
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (declared.status === 404 || declared.status === 412) {
    await notReady({ reason: 'TenantNotReady', message: cmkMessage(declared.body) }, false);
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (declared.status !== 200)
    throw new Error(`CMK could not take the webhook: ${cmkMessage(declared.body)}`);
  const delivery = declared.body as unknown as CmkWebhook;
  const last = delivery.lastDelivery;
  await writeStatus(
    ctx.kube,
    path,
    hook,
    {
      ...(last
        ? {
            lastDelivery: {
              time: kubeTime(last.time),
              event: last.event,
              ...(last.httpStatus !== null ? { httpStatus: last.httpStatus } : {}),
              succeeded: last.succeeded,
              ...(last.message ? { message: last.message.slice(0, 1024) } : {}),
            },
          }
        : {}),
      consecutiveFailures: delivery.consecutiveFailures,
      deliveredEvents: delivery.delivered,
      droppedEvents: delivery.dropped,
      observedGeneration: hook.metadata.generation,
      conditions: withConditions(hook, [readiness(delivery)], now),
    },
    now,
  );
  // Delivery changes arrive through CMK's feed; this beat re-reads the Secret (a rotated signing key).
  return { requeueAfterMs: ctx.revalidateMs };
}

function readiness(delivery: CmkWebhook): DesiredCondition {
  if (!delivery.enabled)
    return {
      type: 'Ready',
      status: 'True',
      reason: 'Paused',
      message: 'deliveries are paused (spec.enabled is false)',
    };
  if (delivery.consecutiveFailures > 0)
    return {
      type: 'Ready',
      status: 'False',
      reason: 'DeliveryFailing',
      message:
        `the last ${delivery.consecutiveFailures} delivery attempts failed: ${delivery.lastDelivery?.message ?? ''}; CMK keeps retrying each event with backoff, then drops it`.slice(
          0,
          1024,
        ),
    };
  return {
    type: 'Ready',
    status: 'True',
    reason: 'Delivering',
    message: 'CMK delivers the subscribed events, signed with the key in the signing Secret',
  };
}

async function readSigningSecret(
  ctx: ControllerContext,
  ref: ObjectRef,
  secretRef: { name: string; key: string },
): Promise<{ value: string } | { problem: Omit<DesiredCondition, 'type' | 'status'> }> {
  const secret = await ctx.kube
    .get(
      `/clusters/${ref.cluster}/api/v1/namespaces/${ref.namespace}/secrets/${encodeURIComponent(secretRef.name)}`,
    )
    .catch((error: unknown) => {
      if (absent(error)) return undefined;
      throw error;
    });
  const how = `holding "whsec_" and 24 to 64 random bytes in base64 (echo "whsec_$(openssl rand -base64 32)")`;
  if (!secret)
    return {
      problem: {
        reason: 'SigningSecretNotFound',
        message: `Secret ${secretRef.name} does not exist in namespace ${ref.namespace}: create it with key ${secretRef.key} ${how}`,
      },
    };
  const encoded = (secret as { data?: Record<string, string> }).data?.[secretRef.key];
  if (!encoded)
    return {
      problem: {
        reason: 'SigningSecretKeyMissing',
        message: `Secret ${secretRef.name} has no key ${secretRef.key}: add it, ${how}`,
      },
    };
  return { value: Buffer.from(encoded, 'base64').toString('utf8').trim() };
}
