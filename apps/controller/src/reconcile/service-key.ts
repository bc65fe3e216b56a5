import {
  CMK_CLEANUP_FINALIZER,
  ROTATE_NOW_ANNOTATION,
  ROTATE_NOW_REQUESTER_ANNOTATION,
  rotationScheduleSeconds,
  tenantName,
} from '@openkcm/api';
import { KubeError, type KubeObject, keychainPath } from '@openkcm/kube-client';
import { accountOf, hierarchyProblem } from '../account-refs.js';
import { tenantPath } from '../cmk-client.js';
import { type ControllerContext, cmkMessage, type ReconcileResult } from '../context.js';
import { keyOf, type ObjectRef } from '../object-key.js';
import { kubeTime, recordEvent, withConditions, writeStatus } from '../status.js';
import { isBound } from './tenant.js';

const STATE_TO_CMK = { Enabled: 'ENABLED', Disabled: 'DISABLED' } as const;

function timestamp(value: unknown): string | undefined {
  return typeof value === 'string' ? value.replace(/\.\d{3}Z$/, 'Z') : undefined;
}

/**
 * FR-301..305: the key exists in CMK under its Account with the schedule and state of the spec;
 * the rotate-now annotation rotates once per value; status mirrors CMK, and the next reconcile is
 * scheduled for the next rotation rather than polled.
 */
export async function reconcileServiceKey(ctx: ControllerContext, ref: ObjectRef): Promise<ReconcileResult> {
  const path = keychainPath(ref.cluster, ref.namespace, 'serviceencryptionkeys', ref.name);
  const key = await ctx.kube.get(path).catch((error: unknown) => {
    if (error instanceof KubeError && error.status === 404) return undefined;
    throw error;
  });
  if (!key) return {};
  const now = ctx.now();
  const finalizers = key.metadata.finalizers ?? [];
  if (!isBound(ctx, ref.cluster) && !finalizers.includes(CMK_CLEANUP_FINALIZER)) return {};
  const spec = key.spec as {
    accountRef: { name: string; workspace?: string };
    rotationSchedule: string;
    state: 'Enabled' | 'Disabled';
    allowedWorkloads?: string[];
  };
  const allowedWorkloads = spec.allowedWorkloads ?? [];
  const cmkKey = `${tenantPath(ref.cluster)}/keys/${encodeURIComponent(ref.name)}`;
  const accountLocation = accountOf(key);
  const accountKey = keyOf({ kind: 'Account', ...accountLocation });

  if (key.metadata.deletionTimestamp) {
    if (finalizers.includes(CMK_CLEANUP_FINALIZER)) {
      const deleted = await ctx.cmk.call('DELETE', cmkKey);
      if (deleted.status !== 202 && deleted.status !== 404)
        throw new Error(`CMK refused to delete the key: ${cmkMessage(deleted.body)}`);
      if (deleted.status === 202) await recordScheduledDestruction(ctx, ref, deleted.body, now);
      await ctx.kube.mergePatch(path, {
        metadata: {
          finalizers: finalizers.filter((item) => item !== CMK_CLEANUP_FINALIZER),
          resourceVersion: key.metadata.resourceVersion,
        },
      });
    }
    ctx.queue.add(accountKey);
    return {};
  }
  if (!finalizers.includes(CMK_CLEANUP_FINALIZER)) {
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: [...finalizers, CMK_CLEANUP_FINALIZER],
        resourceVersion: key.metadata.resourceVersion,
      },
    });
    ctx.queue.add(accountKey);
    return { requeueAfterMs: 0 };
  }
  const notReady = async (reason: string, message: string) => {
    await writeStatus(
      ctx.kube,
      path,
      key,
      {
        phase: 'Pending',
        observedGeneration: key.metadata.generation,
        conditions: withConditions(key, [{ type: 'Ready', status: 'False', reason, message }], now),
      },
      now,
    );
  };

  const outside = hierarchyProblem(ref.cluster, accountLocation.cluster);
  if (outside) {
    await notReady('AccountOutsideHierarchy', `${outside}; fix spec.accountRef.workspace`);
    return {};
  }
  const account = ctx.caches
    .accounts(accountLocation.cluster)
    .find((item) => item.metadata.namespace === ref.namespace && item.metadata.name === spec.accountRef.name);
  if (!account) {
    await notReady(
      'AccountNotFound',
      accountLocation.cluster === ref.cluster
        ? `Account "${spec.accountRef.name}" does not exist in this workspace; create it or fix spec.accountRef`
        : `Account "${spec.accountRef.name}" does not exist in ${accountLocation.cluster}, or OpenKCM is not enabled there; fix spec.accountRef`,
    );
    return {};
  }
  const created = await ctx.cmk.call('POST', `${tenantPath(ref.cluster)}/keys`, {
    name: ref.name,
    accountRef: {
      name: spec.accountRef.name,
      ...(accountLocation.cluster !== ref.cluster ? { workspace: accountLocation.cluster } : {}),
    },
    rotationSchedule: spec.rotationSchedule,
    state: STATE_TO_CMK[spec.state],
    allowedWorkloads,
  });
  if (created.status === 404 || created.status === 412 || created.status === 422 || created.status === 403) {
    await notReady(
      created.status === 403 ? 'AccountOutsideTenant' : 'AccountNotReady',
      `${cmkMessage(created.body)}`,
    );
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (created.status === 400) {
    await notReady('InvalidSpec', cmkMessage(created.body));
    return {};
  }
  if (created.status === 409) {
    const details = (created.body.details ?? {}) as {
      reason?: string;
      account?: string;
      deleteAfter?: string;
    };
    if (details.reason === 'PendingDeletion' && details.account === spec.accountRef.name) {
      // Applied again during its waiting period: the same key comes back with all its versions,
      // as cloud KMS controllers restore a key scheduled for deletion.
      const restored = await ctx.cmk.call('POST', `${cmkKey}/cancel-deletion`, {});
      if (restored.status !== 200)
        throw new Error(`CMK could not restore the key: ${cmkMessage(restored.body)}`);
      const message = `restored with its ${Number(restored.body.currentVersion ?? 0)} version(s) at ${kubeTime(now.toISOString())}; it had been scheduled for destruction on ${details.deleteAfter ?? 'an unknown date'}`;
      await writeStatus(
        ctx.kube,
        path,
        key,
        {
          conditions: withConditions(
            key,
            [{ type: 'Restored', status: 'True', reason: 'RestoredFromDeletion', message }],
            now,
          ),
        },
        now,
      );
      await recordEvent(ctx.kube, key, 'Normal', 'Restored', message, now).catch(() => undefined);
      return { requeueAfterMs: 0 };
    }
    // The name belongs to a key CMK still holds (in its deletion waiting period under another
    // Account, or live under another Account): say so at once instead of retrying in silence.
    await notReady(
      details.reason === 'PendingDeletion' ? 'NamePendingDeletion' : 'NameTaken',
      cmkMessage(created.body),
    );
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (created.status !== 200 && created.status !== 201)
    throw new Error(`CMK could not create the key: ${cmkMessage(created.body)}`);
  if (created.status === 201) ctx.queue.add(accountKey);

  let current = created.body;
  const wantedState = STATE_TO_CMK[spec.state];
  if (
    // `Daily`, `24h` and `1 Day` are one schedule; CMK answers with the shortest form.
    rotationScheduleSeconds(String(current.rotationSchedule)) !==
      rotationScheduleSeconds(spec.rotationSchedule) ||
    current.state !== wantedState ||
    !sameSet(current.allowedWorkloads, allowedWorkloads)
  ) {
    const patched = await ctx.cmk.call('PATCH', cmkKey, {
      rotationSchedule: spec.rotationSchedule,
      state: wantedState,
      allowedWorkloads,
    });
    if (patched.status !== 200) throw new Error(`CMK could not update the key: ${cmkMessage(patched.body)}`);
    current = patched.body;
  }
  const rotateRequest = key.metadata.annotations?.[ROTATE_NOW_ANNOTATION];
  let observedRotateRequest = key.status?.observedRotateRequest as string | undefined;
  if (rotateRequest && rotateRequest !== observedRotateRequest && wantedState === 'ENABLED') {
    const requestedBy = key.metadata.annotations?.[ROTATE_NOW_REQUESTER_ANNOTATION];
    const rotated = await ctx.cmk.call('POST', `${cmkKey}/rotate`, {
      requestId: `annotation:${key.metadata.uid}:${rotateRequest}`,
      ...(requestedBy ? { requestedBy } : {}),
    });
    if (rotated.status !== 200) throw new Error(`CMK could not rotate the key: ${cmkMessage(rotated.body)}`);
    current = rotated.body;
    observedRotateRequest = rotateRequest;
  }
  await writeStatus(ctx.kube, path, key, statusFrom(key, current, observedRotateRequest, now), now);
  const next = Date.parse(String(current.nextRotation ?? ''));
  return Number.isNaN(next) ? {} : { requeueAfterMs: Math.max(1000, next - now.getTime() + 1000) };
}

/** A Kubernetes Event on the Tenant for each scheduled destruction, with its date (kubectl describe tenant). */
async function recordScheduledDestruction(
  ctx: ControllerContext,
  ref: ObjectRef,
  deleted: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const tenant = ctx.caches
    .tenants(ref.cluster)
    .find((item) => item.metadata.name === tenantName(ref.cluster));
  if (!tenant) return;
  const deleteAfter =
    typeof deleted.deleteAfter === 'string' ? deleted.deleteAfter : 'the end of the waiting period';
  await recordEvent(
    ctx.kube,
    tenant,
    'Normal',
    'KeyDestructionScheduled',
    `ServiceEncryptionKey ${ref.name} will be destroyed on ${deleteAfter}; apply it again before then to restore it with its versions`,
    now,
  ).catch(() => undefined);
}

function sameSet(current: unknown, wanted: string[]): boolean {
  const have = Array.isArray(current) ? (current as string[]) : [];
  return have.length === new Set(wanted).size && wanted.every((entry) => have.includes(entry));
}

function statusFrom(
  key: KubeObject,
  cmk: Record<string, unknown>,
  observedRotateRequest: string | undefined,
  now: Date,
): Record<string, unknown> {
  const enabled = cmk.state === 'ENABLED';
  return {
    phase: enabled ? 'Active' : 'Disabled',
    cmkKeyID: String(cmk.id ?? ''),
    currentVersion: Number(cmk.currentVersion ?? 0),
    ...(typeof cmk.rotationSchedule === 'string' ? { rotationPeriod: cmk.rotationSchedule } : {}),
    ...(timestamp(cmk.lastRotation) ? { lastRotation: timestamp(cmk.lastRotation) } : {}),
    ...(timestamp(cmk.nextRotation) ? { nextRotation: timestamp(cmk.nextRotation) } : {}),
    activeClients: Number(cmk.activeClients ?? 0),
    activeWorkloads: Array.isArray(cmk.activeWorkloads) ? (cmk.activeWorkloads as string[]) : [],
    ...(observedRotateRequest ? { observedRotateRequest } : {}),
    observedGeneration: key.metadata.generation,
    conditions: withConditions(
      key,
      [
        enabled
          ? {
              type: 'Ready',
              status: 'True',
              reason: 'Active',
              message: `version ${cmk.currentVersion} is current; next rotation ${timestamp(cmk.nextRotation) ?? 'unscheduled'}`,
            }
          : {
              type: 'Ready',
              status: 'False',
              reason: 'Disabled',
              message: 'the key is disabled: every decrypt is refused until it is enabled again',
            },
      ],
      now,
    ),
  };
}
