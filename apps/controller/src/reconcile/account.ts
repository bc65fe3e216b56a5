import {
  ACCOUNT_IN_USE_FINALIZER,
  type AccountSpec,
  accountRegionProblem,
  providerSettings,
} from '@openkcm/api';
import { clusterOf, KubeError, type KubeObject, keychainPath } from '@openkcm/kube-client';
import { keysUsing } from '../account-refs.js';
import { tenantPath } from '../cmk-client.js';
import { type ControllerContext, cmkMessage, type ReconcileResult } from '../context.js';
import type { ObjectRef } from '../object-key.js';
import { type DesiredCondition, withConditions, writeStatus } from '../status.js';
import { isBound } from './tenant.js';

const REKEY_POLL_MS = 1000;

export function dependentsOf(
  ctx: ControllerContext,
  cluster: string,
  namespace: string,
  account: string,
): string[] {
  // A key of a child workspace is named with its workspace.
  return keysUsing(ctx.caches, { cluster, namespace, name: account })
    .map((key) =>
      (clusterOf(key) === cluster
        ? (key.metadata.name ?? '')
        : `${clusterOf(key)}/${key.metadata.name}`
      ).slice(0, 253),
    )
    .sort();
}

/**
 * FR-201..204: the Account is registered in CMK, Ready only while its L1 key is usable; a new
 * keyReference re-keys through CMK; deletion waits until no ServiceEncryptionKey uses it.
 */
export async function reconcileAccount(ctx: ControllerContext, ref: ObjectRef): Promise<ReconcileResult> {
  const path = keychainPath(ref.cluster, ref.namespace, 'accounts', ref.name);
  const account = await ctx.kube.get(path).catch((error: unknown) => {
    if (error instanceof KubeError && error.status === 404) return undefined;
    throw error;
  });
  if (!account) return {};
  const now = ctx.now();
  const finalizers = account.metadata.finalizers ?? [];
  // The provider's API exists only where OpenKCM is enabled; objects it already manages are still seen through.
  if (!isBound(ctx, ref.cluster) && !finalizers.includes(ACCOUNT_IN_USE_FINALIZER)) return {};
  const dependents = dependentsOf(ctx, ref.cluster, ref.namespace, ref.name);
  const base = {
    dependentKeys: dependents.length,
    dependents: dependents.slice(0, 100),
    observedGeneration: account.metadata.generation,
  };
  const cmkAccount = `${tenantPath(ref.cluster)}/accounts/${encodeURIComponent(ref.name)}`;

  if (account.metadata.deletionTimestamp) {
    if (dependents.length > 0) {
      await writeStatus(
        ctx.kube,
        path,
        account,
        {
          ...base,
          phase: 'Deleting',
          conditions: withConditions(
            account,
            [
              {
                type: 'Ready',
                status: 'False',
                reason: 'InUse',
                message: `deletion waits until no ServiceEncryptionKey uses this Account; still used by: ${dependents.join(', ')}`,
              },
            ],
            now,
          ),
        },
        now,
      );
      return {};
    }
    const deleted = await ctx.cmk.call('DELETE', cmkAccount);
    if (deleted.status !== 202 && deleted.status !== 404)
      throw new Error(`CMK refused to delete the Account: ${cmkMessage(deleted.body)}`);
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: finalizers.filter((item) => item !== ACCOUNT_IN_USE_FINALIZER),
        resourceVersion: account.metadata.resourceVersion,
      },
    });
    return {};
  }
  if (!finalizers.includes(ACCOUNT_IN_USE_FINALIZER)) {
    await ctx.kube.mergePatch(path, {
      metadata: {
        finalizers: [...finalizers, ACCOUNT_IN_USE_FINALIZER],
        resourceVersion: account.metadata.resourceVersion,
      },
    });
    return { requeueAfterMs: 0 };
  }

  const spec = account.spec as { providerType: string; keyReference: string };
  const accessData = providerSettings(spec);
  const notReady = async (reason: string, message: string, l1?: Record<string, unknown>) => {
    await writeStatus(
      ctx.kube,
      path,
      account,
      {
        ...base,
        phase: 'NotReady',
        ...(l1 ? { l1 } : {}),
        conditions: withConditions(account, [{ type: 'Ready', status: 'False', reason, message }], now),
      },
      now,
    );
  };
  const regionProblem = accountRegionProblem(account.spec as AccountSpec);
  if (regionProblem) {
    await notReady('RegionMismatch', regionProblem);
    return {};
  }
  const registered = await ctx.cmk.call('POST', `${tenantPath(ref.cluster)}/accounts`, {
    name: ref.name,
    providerType: spec.providerType,
    keyReference: spec.keyReference,
    ...(accessData ? { accessData } : {}),
  });
  if (registered.status === 404 || registered.status === 412) {
    await notReady(
      'TenantNotActive',
      `${cmkMessage(registered.body)}. Enable OpenKCM in this workspace first.`,
    );
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (registered.status === 400) {
    await notReady('UnsupportedProvider', cmkMessage(registered.body));
    return {};
  }
  if (registered.status === 422) {
    await notReady(
      'L1KeyNotUsable',
      `${cmkMessage(registered.body)}. Check spec.keyReference and the keystore.`,
      { reachable: true, lastCheckTime: now.toISOString() },
    );
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  if (registered.status === 409)
    return rekey(ctx, ref, account, path, base, spec.keyReference, accessData, cmkAccount);
  if (registered.status !== 200 && registered.status !== 201)
    throw new Error(`CMK could not register the Account: ${cmkMessage(registered.body)}`);
  if (registered.body.state === 'REKEYING')
    return rekey(ctx, ref, account, path, base, spec.keyReference, accessData, cmkAccount);

  const l1Check = await checkL1(ctx, account, cmkAccount, now);
  const { l1Status, conditions } = l1Check;
  const rekeyStatus = registered.body.rekey as {
    targetKeyReference: string;
    total: number;
    done: number;
    startedAt: string;
    completedAt: string | null;
  } | null;
  await writeStatus(
    ctx.kube,
    path,
    account,
    {
      ...base,
      phase: conditions[0]?.status === 'True' ? 'Ready' : 'NotReady',
      cmkAccountID: String(registered.body.id ?? ''),
      l1: l1Status,
      ...(rekeyStatus ? { rekey: rekeyProgress(rekeyStatus) } : {}),
      conditions: withConditions(account, conditions, now),
    },
    now,
  );
  return { requeueAfterMs: l1Check.nextCheckInMs, backoff: conditions[0]?.status !== 'True' };
}

type L1Status = { reachable: boolean; keyVersion?: string; lastCheckTime?: string; message?: string };

/**
 * Asks CMK about the L1 key when the last check is older than the revalidation interval (or the
 * spec changed); otherwise reuses it, so reconciling again writes nothing new.
 */
async function checkL1(
  ctx: ControllerContext,
  account: KubeObject,
  cmkAccount: string,
  now: Date,
): Promise<{ l1Status: L1Status; conditions: DesiredCondition[]; nextCheckInMs: number }> {
  const previous = account.status?.l1 as L1Status | undefined;
  const previousReady = (account.status?.conditions as DesiredCondition[] | undefined)?.find(
    (condition) => condition.type === 'Ready',
  );
  const age = now.getTime() - Date.parse(previous?.lastCheckTime ?? '');
  const sameSpec = account.status?.observedGeneration === account.metadata.generation;
  if (
    previous &&
    previousReady &&
    sameSpec &&
    age >= 0 &&
    age < ctx.revalidateMs &&
    ['L1KeyVerified', 'L1Unreachable', 'L1KeyNotUsable'].includes(previousReady.reason)
  ) {
    const { type, status, reason, message } = previousReady;
    return {
      l1Status: previous,
      conditions: [{ type, status, reason, message }],
      nextCheckInMs: ctx.revalidateMs - age,
    };
  }
  const check = await ctx.cmk.call('POST', `${cmkAccount}/validate`);
  const l1 = check.body as {
    reachable?: boolean;
    usable?: boolean;
    reason?: string | null;
    l1KeyVersion?: string | null;
    checkedAt?: string;
  };
  const l1Status: L1Status = {
    reachable: l1.reachable === true,
    ...(l1.l1KeyVersion ? { keyVersion: l1.l1KeyVersion } : {}),
    ...(l1.checkedAt ? { lastCheckTime: l1.checkedAt.replace(/\.\d{3}Z$/, 'Z') } : {}),
    ...(l1.reason ? { message: l1.reason.slice(0, 1024) } : {}),
  };
  const conditions: DesiredCondition[] =
    l1.reachable === false
      ? [
          {
            type: 'Ready',
            status: 'False',
            reason: 'L1Unreachable',
            message: `the keystore cannot be reached: ${l1.reason ?? ''}; this recovers by itself when it is back`,
          },
        ]
      : l1.usable === false
        ? [
            {
              type: 'Ready',
              status: 'False',
              reason: 'L1KeyNotUsable',
              message: `${l1.reason ?? 'the L1 key cannot be used'}. Check spec.keyReference and the keystore.`,
            },
          ]
        : [
            {
              type: 'Ready',
              status: 'True',
              reason: 'L1KeyVerified',
              message: 'the L1 key exists and wraps and unwraps',
            },
          ];
  return { l1Status, conditions, nextCheckInMs: ctx.revalidateMs };
}

function rekeyProgress(rekey: {
  targetKeyReference: string;
  total: number;
  done: number;
  startedAt: string;
  completedAt: string | null;
}) {
  return {
    targetKeyReference: rekey.targetKeyReference,
    state: rekey.completedAt ? 'Succeeded' : 'InProgress',
    rewrapped: rekey.done,
    total: rekey.total,
    startedAt: rekey.startedAt.replace(/\.\d{3}Z$/, 'Z'),
    ...(rekey.completedAt ? { completedAt: rekey.completedAt.replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
}

/** A changed keyReference: start (or follow) the re-key in CMK and report its progress. */
async function rekey(
  ctx: ControllerContext,
  ref: ObjectRef,
  account: KubeObject,
  path: string,
  base: Record<string, unknown>,
  keyReference: string,
  accessData: Record<string, unknown> | undefined,
  cmkAccount: string,
): Promise<ReconcileResult> {
  const now = ctx.now();
  const started = await ctx.cmk.call('POST', `${cmkAccount}/rekey`, {
    keyReference,
    ...(accessData ? { accessData } : {}),
    confirm: ref.name,
  });
  const current = started.status === 202 ? started : await ctx.cmk.call('GET', cmkAccount);
  if (started.status === 422 || started.status === 400) {
    await writeStatus(
      ctx.kube,
      path,
      account,
      {
        ...base,
        phase: 'NotReady',
        rekey: {
          targetKeyReference: keyReference,
          state: 'Failed',
          rewrapped: 0,
          total: 0,
          message: cmkMessage(started.body).slice(0, 1024),
        },
        conditions: withConditions(
          account,
          [
            {
              type: 'Ready',
              status: 'False',
              reason: 'ReKeyFailed',
              message: `re-key to ${keyReference} failed: ${cmkMessage(started.body)}`,
            },
          ],
          now,
        ),
      },
      now,
    );
    return { requeueAfterMs: ctx.revalidateMs, backoff: true };
  }
  const rekeyStatus = current.body.rekey as Parameters<typeof rekeyProgress>[0] | null;
  const inProgress = current.body.state === 'REKEYING';
  await writeStatus(
    ctx.kube,
    path,
    account,
    {
      ...base,
      phase: inProgress ? 'ReKeying' : 'Ready',
      ...(rekeyStatus ? { rekey: rekeyProgress(rekeyStatus) } : {}),
      conditions: withConditions(
        account,
        [
          inProgress
            ? {
                type: 'Ready',
                status: 'True',
                reason: 'ReKeying',
                message: `re-wrapping the key chain under ${keyReference}: ${rekeyStatus?.done ?? 0} of ${rekeyStatus?.total ?? 0} versions`,
              }
            : {
                type: 'Ready',
                status: 'True',
                reason: 'ReKeyed',
                message: `the key chain is wrapped by ${keyReference}`,
              },
        ],
        now,
      ),
    },
    now,
  );
  return { requeueAfterMs: inProgress ? REKEY_POLL_MS : 0 };
}
