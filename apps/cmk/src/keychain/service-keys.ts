import { randomUUID } from 'node:crypto';
import { rotationPeriod } from '@openkcm/api';
import type { HierarchyDecision } from '@openkcm/plugin-sdk';
import { parseWorkloadPattern } from '@openkcm/spiffe';
import type { Sql } from '../storage/database.js';
import { bytes } from '../storage/database.js';
import { accountRow } from './accounts.js';
import { recordAudit } from './audit.js';
import { type Actor, addSeconds, type KeyChainContext } from './context.js';
import {
  ciphertextParts,
  dataContext,
  formatCiphertext,
  newKey,
  open,
  seal,
  versionContext,
} from './crypto.js';
import { recordEdgeChange } from './edge-feed.js';
import { CmkError, notFound, platformCall } from './errors.js';
import { scheduleSeconds } from './schedules.js';
import { activeTenant, getTenant } from './tenants.js';

export type KeyState = 'ENABLED' | 'DISABLED' | 'PENDING_DELETION' | 'DESTROYED';

export interface RetentionPolicy {
  /** Keep at most this many versions decryptable (the current one included). */
  keepVersions?: number | null;
  /** Keep versions younger than this many seconds decryptable. */
  maxAgeSeconds?: number | null;
}

export interface KeyVersion {
  version: number;
  state: 'ACTIVE' | 'DESTROY_SCHEDULED' | 'DESTROYED';
  createdAt: string;
  destroyAfter: string | null;
  /** Null for versions made before CMK recorded it. */
  origin: VersionOrigin | null;
  createdBy: string | null;
}

export type VersionOrigin = 'created' | 'schedule' | 'rotate-now';
/** Scheduled rotations use their due time as request id, with this prefix. */
export const SCHEDULED_REQUEST = 'schedule:';

export interface ServiceKey {
  id: string;
  name: string;
  workspace: string;
  accountName: string;
  algorithm: 'AES-GCM-256';
  state: KeyState;
  rotationSchedule: string;
  currentVersion: number;
  lastRotation: string | null;
  nextRotation: string;
  retention: RetentionPolicy;
  deleteAfter: string | null;
  createdAt: string;
  /** SPIFFE IDs or patterns of the workloads that may use the key at the Crypto Edge. */
  allowedWorkloads: string[];
  /** Distinct workloads that used the key at any edge in the last 15 minutes (FR-302). */
  activeClients: number;
  /** The first 32 of them, by SPIFFE ID. */
  activeWorkloads: string[];
}

interface KeyRow {
  id: string;
  tenant_id: string;
  account_id: string;
  name: string;
  algorithm: 'AES-GCM-256';
  state: KeyState;
  state_before_deletion: KeyState | null;
  rotation_interval_seconds: number;
  next_rotation_at: Date;
  last_rotation_at: Date | null;
  current_version: number;
  retain_versions: number | null;
  retain_seconds: number | null;
  delete_after: Date | null;
  created_at: Date;
  allowed_workloads: string[];
}

type KeyView = KeyRow & {
  workspace: string;
  account_name: string;
  active_clients: number;
  active_workloads: string[] | null;
};

/** How recently a workload must have used a key to count as one of its active clients. */
export const ACTIVE_CLIENT_WINDOW = '15 minutes';

const KEY_VIEW = `select k.*, t.workspace, a.name as account_name, clients.active_clients, clients.active_workloads
  from service_keys k join tenants t on t.id = k.tenant_id join accounts a on a.id = k.account_id
  left join lateral (
    select count(*)::int as active_clients, (array_agg(workload order by workload))[1:32] as active_workloads
      from (select distinct c.workload from edge_key_clients c
             where c.tenant_id = k.tenant_id and c.key_name = k.name
               and c.last_seen_at > now() - interval '${ACTIVE_CLIENT_WINDOW}') recent
  ) clients on true`;

function toKey(row: KeyView): ServiceKey {
  return {
    id: row.id,
    name: row.name,
    workspace: row.workspace,
    accountName: row.account_name,
    algorithm: row.algorithm,
    state: row.state,
    rotationSchedule: rotationPeriod(row.rotation_interval_seconds),
    currentVersion: row.current_version,
    lastRotation: row.last_rotation_at?.toISOString() ?? null,
    nextRotation: row.next_rotation_at.toISOString(),
    retention: { keepVersions: row.retain_versions, maxAgeSeconds: row.retain_seconds },
    deleteAfter: row.delete_after?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    allowedWorkloads: row.allowed_workloads,
    activeClients: row.active_clients ?? 0,
    activeWorkloads: row.active_workloads ?? [],
  };
}

async function keyRow(sql: Sql, workspace: string, name: string, lock = false): Promise<KeyView> {
  const [row] = await sql.query<KeyView>(
    `${KEY_VIEW} where t.workspace = $1 and k.name = $2 ${lock ? 'for update of k' : ''}`,
    [workspace, name],
  );
  if (!row) throw notFound('ServiceEncryptionKey', name);
  return row;
}

export async function getKey(
  sql: Sql,
  workspace: string,
  name: string,
): Promise<ServiceKey & { versions: KeyVersion[] }> {
  const row = await keyRow(sql, workspace, name);
  const versions = await sql.query<{
    version: number;
    state: KeyVersion['state'];
    created_at: Date;
    destroy_after: Date | null;
    origin: VersionOrigin | null;
    created_by: string | null;
  }>(
    'select version, state, created_at, destroy_after, origin, created_by from key_versions where key_id = $1 order by version desc limit 1000',
    [row.id],
  );
  return {
    ...toKey(row),
    versions: versions.map((version) => ({
      version: version.version,
      state: version.state,
      createdAt: version.created_at.toISOString(),
      destroyAfter: version.destroy_after?.toISOString() ?? null,
      origin: version.origin,
      createdBy: version.created_by,
    })),
  };
}

export async function listKeys(
  sql: Sql,
  workspace: string,
  filter: { accountName?: string; state?: KeyState } = {},
): Promise<ServiceKey[]> {
  await getTenant(sql, workspace);
  const rows = await sql.query<KeyView>(
    `${KEY_VIEW} where t.workspace = $1 and ($2::text is null or a.name = $2) and ($3::text is null or k.state = $3) order by k.name`,
    [workspace, filter.accountName ?? null, filter.state ?? null],
  );
  return rows.map(toKey);
}

/** The generation new versions are wrapped under: the re-key target while a re-key runs. */
async function wrappingGeneration(sql: Sql, accountId: string): Promise<number> {
  const [row] = await sql.query<{ generation: number }>(
    'select coalesce(rekey_target_generation, current_generation) as generation from accounts where id = $1',
    [accountId],
  );
  if (!row) throw new CmkError('INTERNAL', 'the key refers to an Account that does not exist');
  return row.generation;
}

async function addVersion(
  ctx: KeyChainContext,
  sql: Sql,
  key: { id: string; tenantId: string; accountId: string },
  version: number,
  origin: { how: VersionOrigin; by: string },
): Promise<void> {
  const generation = await wrappingGeneration(sql, key.accountId);
  const root = await ctx.roots.get(ctx, sql, key.accountId, generation);
  const wrapped = seal(root, newKey(), versionContext(key.tenantId, key.id, version));
  await sql.query(
    "insert into key_versions (key_id, version, account_generation, wrapped, state, created_at, origin, created_by) values ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7)",
    [key.id, version, generation, wrapped, ctx.now(), origin.how, origin.by],
  );
}

/** The key as it is after a committed change, with the tenant's edges woken to pick the change up. */
async function keyAfterChange(ctx: KeyChainContext, workspace: string, name: string): Promise<ServiceKey> {
  const row = await keyRow(ctx.db, workspace, name);
  ctx.edgeFeed.changed(row.tenant_id);
  return toKey(row);
}

/** Every entry must be a SPIFFE ID or a pattern of one; a typo would otherwise lock a workload out unseen. */
function checkedWorkloads(entries: string[]): string[] {
  for (const [index, entry] of entries.entries()) {
    try {
      parseWorkloadPattern(entry);
    } catch (error) {
      throw new CmkError(
        'INVALID_ARGUMENT',
        `allowedWorkloads[${index}] "${entry}" is not a SPIFFE ID or pattern: ${(error as Error).message}`,
        { field: `allowedWorkloads[${index}]` },
      );
    }
  }
  return [...new Set(entries)];
}

function checkRetention(retention: RetentionPolicy | undefined): void {
  if (
    retention?.keepVersions != null &&
    (!Number.isInteger(retention.keepVersions) || retention.keepVersions < 1)
  ) {
    throw new CmkError('INVALID_ARGUMENT', 'retention.keepVersions must be a whole number of at least 1', {
      field: 'retention.keepVersions',
    });
  }
  if (
    retention?.maxAgeSeconds != null &&
    (!Number.isInteger(retention.maxAgeSeconds) || retention.maxAgeSeconds < 3600)
  ) {
    throw new CmkError('INVALID_ARGUMENT', 'retention.maxAgeSeconds must be at least 3600 (one hour)', {
      field: 'retention.maxAgeSeconds',
    });
  }
}

export async function createKey(
  ctx: KeyChainContext,
  workspace: string,
  request: {
    name: string;
    account: { name: string; workspace?: string };
    rotationSchedule: string;
    retention?: RetentionPolicy;
    state?: 'ENABLED' | 'DISABLED';
    allowedWorkloads?: string[];
  },
  actor: Actor,
): Promise<{ key: ServiceKey; created: boolean }> {
  const interval = scheduleSeconds(request.rotationSchedule);
  checkRetention(request.retention);
  const allowedWorkloads = checkedWorkloads(request.allowedWorkloads ?? []);
  const tenant = await activeTenant(ctx.db, workspace);
  const accountWorkspace = request.account.workspace ?? workspace;
  if (accountWorkspace !== workspace) {
    const systemInformation = ctx.systemInformation;
    const decision: HierarchyDecision = systemInformation
      ? await platformCall(() => systemInformation.sameHierarchy(workspace, accountWorkspace))
      : { allowed: false, reason: 'this CMK has no system-information plugin to read the tenant hierarchy' };
    if (!decision.allowed) {
      throw new CmkError(
        'PERMISSION_DENIED',
        `Account "${request.account.name}" of ${accountWorkspace} is outside the tenant hierarchy of ${workspace}: ${decision.reason}`,
        { field: 'accountRef.workspace' },
      );
    }
  }
  const account = await accountRow(ctx.db, accountWorkspace, request.account.name);
  if (account.state === 'PENDING_DELETION' || account.state === 'DESTROYED') {
    throw new CmkError(
      'FAILED_PRECONDITION',
      `Account "${account.name}" is scheduled for deletion; cancel the deletion or choose another Account`,
    );
  }
  const existing = await ctx.db.query<KeyView>(`${KEY_VIEW} where k.tenant_id = $1 and k.name = $2`, [
    tenant.id,
    request.name,
  ]);
  if (existing[0]) {
    const deleteAfter = existing[0].delete_after;
    if (existing[0].state === 'PENDING_DELETION' && deleteAfter)
      throw new CmkError(
        'ALREADY_EXISTS',
        `ServiceEncryptionKey "${request.name}" is in its deletion waiting period until ${deleteAfter.toISOString()}; cancel its deletion to restore it with its versions, or choose another name`,
        {
          name: request.name,
          reason: 'PendingDeletion',
          deleteAfter: deleteAfter.toISOString(),
          account: existing[0].account_name,
        },
      );
    if (existing[0].account_id !== account.id)
      throw new CmkError(
        'ALREADY_EXISTS',
        `ServiceEncryptionKey "${request.name}" exists under another Account`,
      );
    return { key: toKey(existing[0]), created: false };
  }
  const id = randomUUID();
  const now = ctx.now();
  await ctx.db.transaction(async (sql) => {
    await sql.query(
      `insert into service_keys (id, tenant_id, account_id, name, algorithm, state, rotation_interval_seconds, next_rotation_at, last_rotation_at, current_version, retain_versions, retain_seconds, allowed_workloads)
       values ($1, $2, $3, $4, 'AES-GCM-256', $5, $6, $7, $8, 1, $9, $10, $11)`,
      [
        id,
        tenant.id,
        account.id,
        request.name,
        request.state ?? 'ENABLED',
        interval,
        addSeconds(now, interval),
        now,
        request.retention?.keepVersions ?? null,
        request.retention?.maxAgeSeconds ?? null,
        JSON.stringify(allowedWorkloads),
      ],
    );
    await addVersion(ctx, sql, { id, tenantId: tenant.id, accountId: account.id }, 1, {
      how: 'created',
      by: actor.name,
    });
    await recordEdgeChange(sql, tenant.id, 'key', request.name);
    await recordAudit(sql, {
      tenantId: tenant.id,
      actor: actor.name,
      action: 'key.create',
      subject: request.name,
      result: 'success',
      details: { account: account.name, rotationSchedule: request.rotationSchedule },
    });
  });
  ctx.edgeFeed.changed(tenant.id);
  return { key: toKey(await keyRow(ctx.db, workspace, request.name)), created: true };
}

/** Marks versions past the retention policy for destruction after the waiting period, and restores those back within it. */
async function applyRetention(ctx: KeyChainContext, sql: Sql, key: KeyRow): Promise<void> {
  const now = ctx.now();
  const keep = key.retain_versions;
  const maxAge = key.retain_seconds;
  const oldestAllowed = maxAge === null ? null : addSeconds(now, -maxAge);
  const beyond = `version < $2 and (($3::int is not null and version <= $2 - $3::int) or ($4::timestamptz is not null and created_at < $4::timestamptz))`;
  await sql.query(
    `update key_versions set state = 'DESTROY_SCHEDULED', destroy_after = $5 where key_id = $1 and state = 'ACTIVE' and ${beyond}`,
    [key.id, key.current_version, keep, oldestAllowed, addSeconds(now, ctx.destructionWindowSeconds)],
  );
  await sql.query(
    `update key_versions set state = 'ACTIVE', destroy_after = null where key_id = $1 and state = 'DESTROY_SCHEDULED' and not (${beyond})`,
    [key.id, key.current_version, keep, oldestAllowed],
  );
}

/** A key whose scheduled rotation failed, until any rotation of it succeeds. */
export function rotationFailedAlert(workspace: string, name: string) {
  return { type: 'RotationFailed', workspace, subject: { kind: 'ServiceEncryptionKey' as const, name } };
}

/**
 * Adds a version (vX to vX+1). A request id is acted on once: asking again with the same id
 * returns the version it created. Scheduled rotations use their due time as the id.
 */
export async function rotateKey(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  requestId: string,
  actor: Actor,
): Promise<{ key: ServiceKey; version: number; rotated: boolean }> {
  const result = await ctx.db.transaction(async (sql) => {
    const row = await keyRow(sql, workspace, name, true);
    const [previous] = await sql.query<{ version: number }>(
      'select version from rotation_requests where key_id = $1 and request_id = $2',
      [row.id, requestId],
    );
    if (previous) return { row, version: previous.version, rotated: false };
    await activeTenant(sql, workspace);
    if (row.state !== 'ENABLED')
      throw new CmkError(
        'FAILED_PRECONDITION',
        `ServiceEncryptionKey "${name}" is ${row.state.toLowerCase().replace('_', ' ')}; enable it to rotate`,
      );
    const version = row.current_version + 1;
    const now = ctx.now();
    await addVersion(ctx, sql, { id: row.id, tenantId: row.tenant_id, accountId: row.account_id }, version, {
      how: requestId.startsWith(SCHEDULED_REQUEST) ? 'schedule' : 'rotate-now',
      by: actor.name,
    });
    await sql.query(
      'update service_keys set current_version = $2, last_rotation_at = $3, next_rotation_at = $4, updated_at = now() where id = $1',
      [row.id, version, now, addSeconds(now, row.rotation_interval_seconds)],
    );
    await sql.query(
      'insert into rotation_requests (key_id, request_id, version, created_at) values ($1, $2, $3, $4)',
      [row.id, requestId, version, now],
    );
    await applyRetention(ctx, sql, { ...row, current_version: version });
    await recordEdgeChange(sql, row.tenant_id, 'key', name);
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'key.rotate',
      subject: name,
      result: 'success',
      details: { version, requestId, ...(actor.via ? { via: actor.via } : {}) },
    });
    return { row, version, rotated: true };
  });
  if (result.rotated) {
    ctx.edgeFeed.changed(result.row.tenant_id);
    await ctx.alerts.clear(
      rotationFailedAlert(workspace, name),
      `${name} rotated to version ${result.version}`,
    );
  }
  return {
    key: toKey(await keyRow(ctx.db, workspace, name)),
    version: result.version,
    rotated: result.rotated,
  };
}

/** FR-303: a new schedule or retention takes effect at once: the next rotation is recomputed now. */
export async function setKeyPolicy(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  policy: { rotationSchedule?: string; retention?: RetentionPolicy; allowedWorkloads?: string[] },
  actor: Actor,
): Promise<ServiceKey> {
  const interval =
    policy.rotationSchedule === undefined ? undefined : scheduleSeconds(policy.rotationSchedule);
  checkRetention(policy.retention);
  const allowedWorkloads = policy.allowedWorkloads && checkedWorkloads(policy.allowedWorkloads);
  const tenantId = await ctx.db.transaction(async (sql) => {
    const row = await keyRow(sql, workspace, name, true);
    const seconds = interval ?? row.rotation_interval_seconds;
    const next = addSeconds(row.last_rotation_at ?? row.created_at, seconds);
    const keep = policy.retention ? (policy.retention.keepVersions ?? null) : row.retain_versions;
    const maxAge = policy.retention ? (policy.retention.maxAgeSeconds ?? null) : row.retain_seconds;
    const workloads = allowedWorkloads ?? row.allowed_workloads;
    await sql.query(
      'update service_keys set rotation_interval_seconds = $2, next_rotation_at = $3, retain_versions = $4, retain_seconds = $5, allowed_workloads = $6, updated_at = now() where id = $1',
      [row.id, seconds, next, keep, maxAge, JSON.stringify(workloads)],
    );
    await applyRetention(ctx, sql, { ...row, retain_versions: keep, retain_seconds: maxAge });
    await recordEdgeChange(sql, row.tenant_id, 'key', name);
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'key.set-policy',
      subject: name,
      result: 'success',
      details: {
        rotationSchedule: rotationPeriod(seconds),
        retention: { keepVersions: keep, maxAgeSeconds: maxAge },
        allowedWorkloads: workloads,
      },
    });
    return row.tenant_id;
  });
  ctx.edgeFeed.changed(tenantId);
  return toKey(await keyRow(ctx.db, workspace, name));
}

/** FR-305: a disabled key refuses every decrypt and does not rotate. */
export async function setKeyState(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  state: 'ENABLED' | 'DISABLED',
  actor: Actor,
): Promise<ServiceKey> {
  await ctx.db.transaction(async (sql) => {
    const row = await keyRow(sql, workspace, name, true);
    if (row.state === 'PENDING_DELETION' || row.state === 'DESTROYED') {
      throw new CmkError(
        'FAILED_PRECONDITION',
        `ServiceEncryptionKey "${name}" is scheduled for deletion; cancel the deletion first`,
      );
    }
    if (row.state === state) return;
    await sql.query('update service_keys set state = $2, updated_at = now() where id = $1', [row.id, state]);
    await recordEdgeChange(sql, row.tenant_id, 'key', name);
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: state === 'ENABLED' ? 'key.enable' : 'key.disable',
      subject: name,
      result: 'success',
    });
  });
  const key = await keyAfterChange(ctx, workspace, name);
  return key;
}

export async function deleteKey(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  actor: Actor,
): Promise<ServiceKey> {
  await ctx.db.transaction(async (sql) => {
    const row = await keyRow(sql, workspace, name, true);
    if (row.state === 'PENDING_DELETION' || row.state === 'DESTROYED') return;
    const deleteAfter = addSeconds(ctx.now(), ctx.destructionWindowSeconds);
    await sql.query(
      "update service_keys set state = 'PENDING_DELETION', state_before_deletion = state, delete_after = $2, updated_at = now() where id = $1",
      [row.id, deleteAfter],
    );
    await recordEdgeChange(sql, row.tenant_id, 'key', name);
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'key.delete',
      subject: name,
      result: 'success',
      details: { destroyAfter: deleteAfter.toISOString() },
    });
  });
  return keyAfterChange(ctx, workspace, name);
}

export async function cancelKeyDeletion(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  actor: Actor,
): Promise<ServiceKey> {
  await ctx.db.transaction(async (sql) => {
    const row = await keyRow(sql, workspace, name, true);
    if (row.state !== 'PENDING_DELETION')
      throw new CmkError(
        'FAILED_PRECONDITION',
        `ServiceEncryptionKey "${name}" is not scheduled for deletion`,
      );
    const [account] = await sql.query<{ state: string; name: string }>(
      'select state, name from accounts where id = $1',
      [row.account_id],
    );
    if (account?.state === 'PENDING_DELETION') {
      throw new CmkError(
        'FAILED_PRECONDITION',
        `the Account "${account.name}" of this key is scheduled for deletion; cancel that first`,
      );
    }
    await sql.query(
      'update service_keys set state = coalesce(state_before_deletion, $2), state_before_deletion = null, delete_after = null, updated_at = now() where id = $1',
      [row.id, 'ENABLED'],
    );
    await recordEdgeChange(sql, row.tenant_id, 'key', name);
    await recordAudit(sql, {
      tenantId: row.tenant_id,
      actor: actor.name,
      action: 'key.cancel-deletion',
      subject: name,
      result: 'success',
    });
  });
  return keyAfterChange(ctx, workspace, name);
}

/** The plaintext of one L3 version, for the data plane; refused unless the tenant, the key and the version may be used. */
export async function unwrapVersion(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  version: number,
): Promise<Buffer> {
  // One round trip on the hot path: tenant state, key state and the wrapped version together.
  const [row] = await ctx.db.query<{
    tenant_id: string;
    tenant_state: string;
    key_id: string;
    account_id: string;
    key_state: KeyState;
    wrapped: Uint8Array | null;
    version_state: string | null;
    account_generation: number | null;
  }>(
    `select t.id as tenant_id, t.state as tenant_state, k.id as key_id, k.account_id, k.state as key_state,
            v.wrapped, v.state as version_state, v.account_generation
       from tenants t join service_keys k on k.tenant_id = t.id
       left join key_versions v on v.key_id = k.id and v.version = $3
      where t.workspace = $1 and k.name = $2`,
    [workspace, name, version],
  );
  if (!row) {
    await getTenant(ctx.db, workspace);
    throw notFound('ServiceEncryptionKey', name);
  }
  if (row.tenant_state !== 'ACTIVE') await activeTenant(ctx.db, workspace);
  if (row.key_state !== 'ENABLED')
    throw new CmkError(
      'KEY_NOT_USABLE',
      `ServiceEncryptionKey "${name}" is ${row.key_state.toLowerCase().replace('_', ' ')}: it cannot be used`,
    );
  if (row.version_state === null || row.account_generation === null)
    throw new CmkError('NOT_FOUND', `version ${version} of "${name}" does not exist (or was destroyed)`);
  if (row.version_state !== 'ACTIVE' || !row.wrapped)
    throw new CmkError(
      'KEY_NOT_USABLE',
      `version ${version} of "${name}" is scheduled for destruction by the retention policy`,
    );
  return ctx.roots.openVersion(ctx, ctx.db, {
    accountId: row.account_id,
    generation: row.account_generation,
    wrapped: bytes(row.wrapped),
    context: versionContext(row.tenant_id, row.key_id, version),
  });
}

export async function encrypt(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  plaintext: Buffer,
  context: string,
): Promise<{ ciphertext: string; version: number }> {
  const row = await keyRow(ctx.db, workspace, name);
  const key = await unwrapVersion(ctx, workspace, name, row.current_version);
  const sealed = seal(key, plaintext, dataContext(row.tenant_id, row.id, row.current_version, context));
  return { ciphertext: formatCiphertext(row.current_version, sealed), version: row.current_version };
}

export async function decrypt(
  ctx: KeyChainContext,
  workspace: string,
  name: string,
  ciphertext: string,
  context: string,
): Promise<{ plaintext: Buffer; version: number }> {
  const { version, sealed } = ciphertextParts(ciphertext);
  const row = await keyRow(ctx.db, workspace, name);
  const key = await unwrapVersion(ctx, workspace, name, version);
  return {
    plaintext: open(key, sealed, dataContext(row.tenant_id, row.id, version, context)),
    version,
  };
}
