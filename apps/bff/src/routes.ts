import {
  API_VERSION,
  accountRegionProblem,
  openKcmBinding,
  providerSettings,
  ROTATE_NOW_ANNOTATION,
  settingsSpec,
  tenantName,
} from '@openkcm/api';
import { roleInWorkspace } from '@openkcm/auth';
import {
  AccountBody,
  AccountKeyTest,
  AccountPatch,
  KeyBody,
  KeyPatch,
  OffboardBody,
  type OverviewResponse,
  type PendingDeletionResponse,
  RekeyBody,
} from '@openkcm/bff-api';
import { KubeError, type KubeObject } from '@openkcm/kube-client';
import { ApiError } from './errors.js';
import {
  accountOf,
  bindingPath,
  cmkOk,
  items,
  NAMESPACE,
  optional,
  path,
  type Route,
  type RouteContext,
  route,
  W,
} from './route-kit.js';
import { attention, overview, recentEvents, topology } from './views.js';
import { WEBHOOK_ROUTES } from './webhook-routes.js';
import { visibleWorkspaces } from './workspaces.js';

interface CmkKey {
  name: string;
  accountName: string;
  algorithm: string;
  state: string;
  rotationSchedule: string;
  currentVersion: number;
  allowedWorkloads: string[];
  deleteAfter: string | null;
}
interface CmkAccount {
  name: string;
  providerType: string;
  keyReference: string;
  accessData: Record<string, unknown>;
  deleteAfter: string | null;
}

async function pendingDeletion(context: RouteContext): Promise<PendingDeletionResponse> {
  const [keys, accounts] = await Promise.all([
    cmkOk<{ items: CmkKey[] }>(context, 'GET', '/keys?state=PENDING_DELETION'),
    cmkOk<{ items: CmkAccount[] }>(context, 'GET', '/accounts?state=PENDING_DELETION'),
  ]);
  return {
    keys: keys.items.map((key) => ({
      name: key.name,
      account: key.accountName,
      currentVersion: key.currentVersion,
      deleteAfter: key.deleteAfter ?? '',
    })),
    accounts: accounts.items.map((account) => ({
      name: account.name,
      providerType: account.providerType,
      keyReference: account.keyReference,
      deleteAfter: account.deleteAfter ?? '',
    })),
  };
}

/**
 * Cancels a deletion in CMK and puts the object back. An object still finishing its deletion would
 * delete the restored one in CMK again, so that is refused before CMK is asked; one that is already
 * back (created with kubectl meanwhile) is left as it is.
 */
async function cancelDeletion<T extends { name: string }>(
  context: RouteContext,
  target: { plural: string; kind: string; cmkPath: string },
  specOf: (restored: T) => object,
): Promise<{ name: string; restored: true }> {
  const name = context.params.name ?? '';
  const existing = await optional(context.kube.get(path(context, target.plural, name)));
  if (existing?.metadata.deletionTimestamp)
    throw new ApiError(
      409,
      'STILL_DELETING',
      `${target.kind} "${name}" is still being removed; try again in a few seconds`,
      { name },
    );
  const restored = await cmkOk<T>(
    context,
    'POST',
    `/${target.cmkPath}/${encodeURIComponent(name)}/cancel-deletion`,
  );
  if (!existing)
    await context.kube
      .request('POST', path(context, target.plural), {
        apiVersion: API_VERSION,
        kind: target.kind,
        metadata: { name },
        spec: specOf(restored),
      })
      .catch((error: unknown) => {
        if (!(error instanceof KubeError && error.status === 409)) throw error;
      });
  return { name, restored: true };
}

/** Destroying data needs the object's name typed, as re-key does. */
function requireTypedName(context: RouteContext, what: string) {
  const name = context.params.name ?? '';
  if (context.query.confirm !== name)
    throw new ApiError(
      400,
      'CONFIRMATION_REQUIRED',
      `type the ${what} name "${name}" (?confirm=) to confirm`,
      {
        field: 'confirm',
      },
    );
}

async function eventsOf(context: RouteContext, kind: string) {
  const events = await context.kube.request<{ items: KubeObject[] }>(
    'GET',
    `/clusters/${context.workspace}/api/v1/namespaces/${NAMESPACE}/events`,
  );
  return { items: recentEvents(events.items, 100, { kind, name: context.params.name ?? '' }) };
}

/** Every API of the BFF; the Express router and the OpenAPI document are both made from this table. */
export const ROUTES: Route[] = [
  route({
    method: 'get',
    path: '/me',
    summary: 'Who the caller is and the workspaces they may open, with their role in each',
    handle: async (context) => ({
      username: context.principal.username,
      workspaces: await visibleWorkspaces(context.principal, context.kube),
    }),
  }),
  route({
    method: 'get',
    path: `${W}/openkcm`,
    summary: 'Whether OpenKCM is enabled in the workspace, and its Tenant (FR-102)',
    async handle(context) {
      const binding = await optional(context.kube.get(`${bindingPath(context)}/openkcm`));
      const tenant = await optional(
        context.kube.get(path(context, 'tenants', tenantName(context.workspace))),
      );
      return {
        enabled: binding !== undefined,
        tenant: tenant ?? null,
        role: roleInWorkspace(context.principal.grants, context.workspace) ?? null,
      };
    },
  }),
  route({
    method: 'put',
    path: `${W}/openkcm`,
    summary: 'Enable OpenKCM in the workspace (binds the provider API)',
    async handle(context) {
      await context.kube.request('POST', bindingPath(context), openKcmBinding()).catch((error: unknown) => {
        if (!(error instanceof KubeError && error.status === 409)) throw error;
      });
      return { enabled: true };
    },
  }),
  route({
    method: 'post',
    path: `${W}/openkcm/offboard`,
    summary:
      'Offboard the tenant: every key enters its deletion waiting period, then CMK purges the tenant; the workspace path must be typed to confirm',
    body: OffboardBody,
    async handle(context, body) {
      if (body.confirm !== context.workspace)
        throw new ApiError(
          400,
          'CONFIRMATION_REQUIRED',
          `type the workspace path "${context.workspace}" to confirm offboarding`,
          {
            field: 'confirm',
          },
        );
      await context.kube.request('DELETE', path(context, 'tenants', tenantName(context.workspace)));
      return { offboarding: true };
    },
  }),
  route({
    method: 'delete',
    path: `${W}/openkcm`,
    summary: 'Disable OpenKCM in the workspace: the Tenant is suspended and its keys stop working',
    async handle(context) {
      await optional(context.kube.request('DELETE', `${bindingPath(context)}/openkcm`));
      return { enabled: false };
    },
  }),
  route({
    method: 'get',
    path: `${W}/accounts`,
    summary: 'List Accounts (L2)',
    handle: async (context) => ({ items: await items(context, 'accounts') }),
  }),
  route({
    method: 'get',
    path: `${W}/accounts/:name`,
    summary: 'Read an Account',
    handle: (context) => context.kube.get(path(context, 'accounts', context.params.name)),
  }),
  route({
    method: 'post',
    path: `${W}/accounts`,
    summary: 'Create an Account (FR-201)',
    body: AccountBody,
    status: 201,
    handle(context, { name, ...spec }) {
      const regionProblem = accountRegionProblem(spec);
      if (regionProblem) throw new ApiError(400, 'INVALID_REGION', regionProblem, { field: 'region' });
      return context.kube.request('POST', path(context, 'accounts'), {
        apiVersion: API_VERSION,
        kind: 'Account',
        metadata: { name },
        spec,
      });
    },
  }),
  route({
    method: 'post',
    path: `${W}/account-key-test`,
    summary:
      'Test an L1 key before creating an Account with it: CMK asks the keystore whether the key exists and can wrap (nothing is stored)',
    body: AccountKeyTest,
    handle: (context, { providerType, keyReference, ...spec }) =>
      cmkOk(context, 'POST', '/l1-key-test', {
        providerType,
        keyReference,
        accessData: providerSettings({ providerType, ...spec }) ?? {},
      }),
  }),
  route({
    method: 'patch',
    path: `${W}/accounts/:name`,
    summary: 'Update the descriptive fields of an Account (the key reference changes only through re-key)',
    body: AccountPatch,
    handle: (context, body) =>
      context.kube.mergePatch(path(context, 'accounts', context.params.name), { spec: body }),
  }),
  route({
    method: 'post',
    path: `${W}/accounts/:name/rekey`,
    summary: 'Re-key an Account to a new L1 key; the Account name must be typed to confirm (FR-203)',
    body: RekeyBody,
    async handle(context, body) {
      const name = context.params.name ?? '';
      if (body.confirm !== name)
        throw new ApiError(
          400,
          'CONFIRMATION_REQUIRED',
          `type the Account name "${name}" to confirm the re-key`,
          { field: 'confirm' },
        );
      return context.kube.mergePatch(path(context, 'accounts', name), {
        spec: { keyReference: body.keyReference },
      });
    },
  }),
  route({
    method: 'delete',
    path: `${W}/accounts/:name`,
    summary: 'Delete an Account; refused while service keys depend on it (FR-204)',
    async handle(context) {
      const name = context.params.name ?? '';
      const dependents = (await items(context, 'serviceencryptionkeys'))
        .filter((key) => accountOf(key) === name)
        .map((key) => key.metadata.name);
      if (dependents.length > 0) {
        throw new ApiError(
          409,
          'ACCOUNT_IN_USE',
          `Account "${name}" still protects ${dependents.length} service ${dependents.length === 1 ? 'key' : 'keys'}; delete or move them first: ${dependents.join(', ')}`,
          { dependents },
        );
      }
      return context.kube.request('DELETE', path(context, 'accounts', name));
    },
  }),
  route({
    method: 'get',
    path: `${W}/keys`,
    summary: 'List ServiceEncryptionKeys (L3), optionally of one Account (?account=)',
    async handle(context) {
      const account = typeof context.query.account === 'string' ? context.query.account : undefined;
      const all = await items(context, 'serviceencryptionkeys');
      return { items: account ? all.filter((key) => accountOf(key) === account) : all };
    },
  }),
  route({
    method: 'get',
    path: `${W}/keys/:name`,
    summary: 'Read a key, with its versions as CMK holds them',
    async handle(context) {
      const key = await context.kube.get(path(context, 'serviceencryptionkeys', context.params.name));
      const cmk = await context
        .cmk(
          'GET',
          `/tenants/${encodeURIComponent(context.workspace)}/keys/${encodeURIComponent(context.params.name ?? '')}`,
        )
        .catch(() => undefined);
      return { ...key, versions: cmk?.status === 200 ? (cmk.body.versions ?? []) : null };
    },
  }),
  route({
    method: 'post',
    path: `${W}/keys`,
    summary: 'Create a ServiceEncryptionKey under an Account (FR-301)',
    body: KeyBody,
    status: 201,
    async handle(context, { name, ...spec }) {
      // CMK keeps a deleted key's name through its waiting period: say so now, not as a silent Pending.
      const held = await context
        .cmk('GET', `/tenants/${encodeURIComponent(context.workspace)}/keys/${encodeURIComponent(name)}`)
        .catch(() => undefined);
      if (held?.status === 200 && held.body.state === 'PENDING_DELETION')
        throw new ApiError(
          409,
          'NAME_PENDING_DELETION',
          `a key named "${name}" was deleted and is in its waiting period until ${String(held.body.deleteAfter)}; cancel its deletion to restore it with its versions, or choose another name`,
          { name, deleteAfter: held.body.deleteAfter },
        );
      return context.kube.request('POST', path(context, 'serviceencryptionkeys'), {
        apiVersion: API_VERSION,
        kind: 'ServiceEncryptionKey',
        metadata: { name },
        spec,
      });
    },
  }),
  route({
    method: 'patch',
    path: `${W}/keys/:name`,
    summary: 'Change the rotation schedule or enable/disable a key (FR-303, FR-305)',
    body: KeyPatch,
    handle: (context, body) =>
      context.kube.mergePatch(path(context, 'serviceencryptionkeys', context.params.name), { spec: body }),
  }),
  route({
    method: 'post',
    path: `${W}/keys/:name/rotate`,
    summary: 'Rotate now (FR-304): sets the rotate-now annotation, so kubectl users can do the same',
    handle: (context) =>
      context.kube.mergePatch(path(context, 'serviceencryptionkeys', context.params.name), {
        metadata: { annotations: { [ROTATE_NOW_ANNOTATION]: new Date().toISOString() } },
      }),
  }),
  route({
    method: 'delete',
    path: `${W}/keys/:name`,
    summary:
      'Delete a key (its material is destroyed after the waiting period); ?confirm= must repeat its name',
    handle: (context) => {
      requireTypedName(context, 'key');
      return context.kube.request('DELETE', path(context, 'serviceencryptionkeys', context.params.name));
    },
  }),
  route({
    method: 'get',
    path: `${W}/pending-deletion`,
    summary: 'Keys and Accounts in their deletion waiting period, with the time they are destroyed',
    handle: pendingDeletion,
  }),
  route({
    method: 'post',
    path: `${W}/keys/:name/cancel-deletion`,
    summary:
      'Cancel the deletion of a key in its waiting period: CMK keeps its versions, the object comes back',
    handle: (context) =>
      cancelDeletion<CmkKey>(
        context,
        { plural: 'serviceencryptionkeys', kind: 'ServiceEncryptionKey', cmkPath: 'keys' },
        (key) => ({
          accountRef: { name: key.accountName },
          algorithm: key.algorithm,
          rotationSchedule: key.rotationSchedule,
          state: key.state === 'DISABLED' ? 'Disabled' : 'Enabled',
          ...(key.allowedWorkloads.length > 0 ? { allowedWorkloads: key.allowedWorkloads } : {}),
        }),
      ),
  }),
  route({
    method: 'post',
    path: `${W}/accounts/:name/cancel-deletion`,
    summary:
      'Cancel the deletion of an Account in its waiting period: its root key is kept, the object comes back',
    handle: (context) =>
      cancelDeletion<CmkAccount>(
        context,
        { plural: 'accounts', kind: 'Account', cmkPath: 'accounts' },
        (account) => ({
          providerType: account.providerType,
          keyReference: account.keyReference,
          ...settingsSpec(account.providerType, account.accessData),
        }),
      ),
  }),
  route({
    method: 'get',
    path: `${W}/accounts/:name/events`,
    summary: 'Kubernetes Events of an Account, newest first',
    handle: (context) => eventsOf(context, 'Account'),
  }),
  route({
    method: 'get',
    path: `${W}/keys/:name/events`,
    summary: 'Kubernetes Events of a key, newest first',
    handle: (context) => eventsOf(context, 'ServiceEncryptionKey'),
  }),
  route({
    method: 'get',
    path: `${W}/audit`,
    summary:
      "The tenant's audit trail, newest first (who did what, when, with which result): ?subject=, ?actor=, ?action= (or a family such as key.), ?since= and ?until= (times), ?limit=, and ?before= with the previous page's next",
    async handle(context) {
      const query = new URLSearchParams({ order: 'newest' });
      for (const name of ['limit', 'before', 'subject', 'actor', 'action', 'since', 'until']) {
        const value = context.query[name];
        if (value === undefined) continue;
        if (typeof value !== 'string')
          throw new ApiError(400, 'INVALID_ARGUMENT', `give ${name} once, as text`, { field: name });
        query.set(name, value);
      }
      return cmkOk(context, 'GET', `/audit?${query}`);
    },
  }),
  route({
    method: 'get',
    path: `${W}/overview`,
    summary:
      'Key chain overview (FR-402): accounts, keys by state, keys overdue for rotation, what needs attention, L1 health, tenant status, CMK plugin health',
    async handle(context) {
      const [tenant, accounts, keys, plugins, events, pending] = await Promise.all([
        optional(context.kube.get(path(context, 'tenants', tenantName(context.workspace)))),
        items(context, 'accounts'),
        items(context, 'serviceencryptionkeys'),
        context.cmk('GET', '/plugins').catch(() => undefined),
        context.kube
          .request<{ items: KubeObject[] }>(
            'GET',
            `/clusters/${context.workspace}/api/v1/namespaces/${NAMESPACE}/events`,
          )
          .then((list) => list.items)
          .catch(() => []),
        // Without CMK the rest of the overview still shows; deletions are then left out of the list.
        pendingDeletion(context).catch(() => undefined),
      ]);
      const now = new Date();
      return {
        ...overview(tenant, accounts, keys, now),
        attention: attention(tenant, accounts, keys, pending, now),
        recentEvents: recentEvents(events, 10),
        plugins: plugins?.status === 200 ? (plugins.body.items as OverviewResponse['plugins']) : null,
      };
    },
  }),
  route({
    method: 'get',
    path: `${W}/topology`,
    summary: 'L1 → L2 → L3 nodes and edges with their states (FR-404)',
    async handle(context) {
      const [accounts, keys] = await Promise.all([
        items(context, 'accounts'),
        items(context, 'serviceencryptionkeys'),
      ]);
      return topology(accounts, keys);
    },
  }),
  ...WEBHOOK_ROUTES,
];
