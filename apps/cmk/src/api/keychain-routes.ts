import { Type } from '@openkcm/schema';
import {
  type AccountState,
  cancelAccountDeletion,
  checkAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  registerAccount,
  testL1Key,
} from '../keychain/accounts.js';
import { listAudit } from '../keychain/audit.js';
import { CmkError } from '../keychain/errors.js';
import { startRekey } from '../keychain/rekey.js';
import {
  cancelKeyDeletion,
  createKey,
  decrypt,
  deleteKey,
  encrypt,
  getKey,
  type KeyState,
  listKeys,
  rotateKey,
  setKeyPolicy,
  setKeyState,
} from '../keychain/service-keys.js';
import { getTenant, offboardTenant, provisionTenant, setTenantState } from '../keychain/tenants.js';
import { integerQuery, Name, Retention, type Route, route } from './routes.js';

const T = '/api/v1/tenants/:tenant';
const AllowedWorkloads = Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
  maxItems: 64,
  description: 'SPIFFE IDs (or patterns: * one segment, ** the rest) of the workloads that may use the key',
});
/** A property only when it has a value (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
const ACCOUNT_STATES = [
  'ACTIVE',
  'REKEYING',
  'PENDING_DELETION',
  'DESTROYED',
] as const satisfies AccountState[];
const KEY_STATES = ['ENABLED', 'DISABLED', 'PENDING_DELETION', 'DESTROYED'] as const satisfies KeyState[];
function stateQuery<S extends string>(query: URLSearchParams, states: readonly S[]): S | undefined {
  const state = query.get('state');
  if (state === null) return undefined;
  if (!(states as readonly string[]).includes(state))
    throw new CmkError('INVALID_ARGUMENT', `state must be one of ${states.join(', ')}, not "${state}"`);
  return state as S;
}
const actor = (context: { principal: { username: string } }) => ({ name: context.principal.username });
const base64 = (field: string) =>
  Type.String({ maxLength: 65_536, pattern: '^[A-Za-z0-9+/]*={0,2}$', description: `${field}, base64` });

export function keychainRoutes(startRekeyWork: (accountId: string) => void): Route[] {
  const routes: Route[] = [
    route({
      method: 'PUT',
      path: T,
      summary: 'Provision the tenant of a workspace (idempotent)',
      access: 'system',
      body: Type.Object({
        region: Type.Optional(Type.String({ maxLength: 64 })),
        audiences: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 16 })),
        boundSince: Type.Optional(
          Type.String({
            format: 'date-time',
            maxLength: 64,
            description:
              "When the workspace's binding was made: after a purge only a newer binding starts over.",
          }),
        ),
      }),
      async handle(context, body) {
        const result = await provisionTenant(
          context.keychain,
          { workspace: context.params.tenant ?? '', ...body },
          actor(context),
        );
        return { status: result.created ? 201 : 200, body: result.tenant };
      },
    }),
    route({
      method: 'GET',
      path: T,
      summary: 'Read a tenant',
      access: 'read',
      handle: async (context) => ({
        status: 200,
        body: await getTenant(context.keychain.db, context.params.tenant ?? ''),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/suspend`,
      summary: 'Suspend a tenant: its keys stop working',
      access: 'system',
      handle: async (context) => ({
        status: 200,
        body: await setTenantState(
          context.keychain,
          context.params.tenant ?? '',
          'SUSPENDED',
          actor(context),
        ),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/offboard`,
      summary:
        'Offboard a tenant: every key and Account enters the deletion waiting period, then the tenant is purged (idempotent)',
      access: 'system',
      handle: async (context) => ({
        status: 200,
        body: await offboardTenant(context.keychain, context.params.tenant ?? '', actor(context)),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/resume`,
      summary: 'Resume a suspended tenant',
      access: 'system',
      handle: async (context) => ({
        status: 200,
        body: await setTenantState(context.keychain, context.params.tenant ?? '', 'ACTIVE', actor(context)),
      }),
    }),
    route({
      method: 'GET',
      path: `${T}/accounts`,
      summary: 'List Accounts (L2), optionally in one state (?state=PENDING_DELETION)',
      access: 'read',
      handle: async (context) => ({
        status: 200,
        body: {
          items: await listAccounts(context.keychain.db, context.params.tenant ?? '', {
            ...optional('state', stateQuery(context.query, ACCOUNT_STATES)),
          }),
        },
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/accounts`,
      summary: 'Register an Account: a new L2 root wrapped by an L1 key that must exist and be usable',
      access: 'write',
      body: Type.Object({
        name: Name,
        providerType: Type.String({ minLength: 1, maxLength: 32 }),
        keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
        accessData: Type.Optional(
          Type.Unsafe<Record<string, unknown>>({
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          }),
        ),
      }),
      async handle(context, body) {
        const result = await registerAccount(
          context.keychain,
          context.params.tenant ?? '',
          body,
          actor(context),
        );
        return { status: result.created ? 201 : 200, body: result.account };
      },
    }),
    route({
      method: 'POST',
      path: `${T}/l1-key-test`,
      summary: 'Test an L1 key before registering an Account with it; nothing is stored or claimed',
      access: 'write',
      body: Type.Object({
        providerType: Type.String({ minLength: 1, maxLength: 32 }),
        keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
        accessData: Type.Unsafe<Record<string, unknown>>({
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
        }),
      }),
      handle: async (context, body) => ({
        status: 200,
        body: await testL1Key(context.keychain, context.params.tenant ?? '', body),
      }),
    }),
    route({
      method: 'GET',
      path: `${T}/accounts/:name`,
      summary: 'Read an Account, with re-key progress',
      access: 'read',
      handle: async (context) => ({
        status: 200,
        body: await getAccount(context.keychain.db, context.params.tenant ?? '', context.params.name ?? ''),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/accounts/:name/validate`,
      summary: 'Check that the L1 key of an Account is reachable and usable',
      access: 'read',
      handle: async (context) => ({
        status: 200,
        body: await checkAccount(context.keychain, context.params.tenant ?? '', context.params.name ?? ''),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/accounts/:name/rekey`,
      summary: 'Re-key an Account to a new L1 key; confirm with the Account name',
      access: 'write',
      body: Type.Object({
        keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
        accessData: Type.Optional(
          Type.Unsafe<Record<string, unknown>>({
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
          }),
        ),
        confirm: Type.String({ description: 'The Account name, typed to confirm' }),
      }),
      async handle(context, body) {
        const name = context.params.name ?? '';
        if (body.confirm !== name)
          throw new CmkError('INVALID_ARGUMENT', `type the Account name "${name}" in confirm to re-key it`, {
            field: 'confirm',
          });
        const account = await startRekey(
          context.keychain,
          context.params.tenant ?? '',
          name,
          body,
          actor(context),
        );
        startRekeyWork(account.id);
        return { status: 202, body: account };
      },
    }),
    route({
      method: 'DELETE',
      path: `${T}/accounts/:name`,
      summary: 'Schedule an Account for destruction; refused while keys depend on it',
      access: 'write',
      handle: async (context) => ({
        status: 202,
        body: await deleteAccount(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          actor(context),
        ),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/accounts/:name/cancel-deletion`,
      summary: 'Cancel the scheduled destruction of an Account',
      access: 'write',
      handle: async (context) => ({
        status: 200,
        body: await cancelAccountDeletion(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          actor(context),
        ),
      }),
    }),
    route({
      method: 'GET',
      path: `${T}/keys`,
      summary: 'List ServiceEncryptionKeys (L3), optionally of one Account (?account=) or state (?state=)',
      access: 'read',
      async handle(context) {
        return {
          status: 200,
          body: {
            items: await listKeys(context.keychain.db, context.params.tenant ?? '', {
              ...optional('accountName', context.query.get('account') ?? undefined),
              ...optional('state', stateQuery(context.query, KEY_STATES)),
            }),
          },
        };
      },
    }),
    route({
      method: 'POST',
      path: `${T}/keys`,
      summary: 'Create a ServiceEncryptionKey under an Account',
      access: 'write',
      body: Type.Object({
        name: Name,
        accountRef: Type.Object({
          name: Name,
          workspace: Type.Optional(
            Type.String({ pattern: '^root(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$', maxLength: 1024 }),
          ),
        }),
        rotationSchedule: Type.String({ maxLength: 32, default: '30d' }),
        retention: Type.Optional(Retention),
        state: Type.Optional(
          Type.Unsafe<'ENABLED' | 'DISABLED'>({ type: 'string', enum: ['ENABLED', 'DISABLED'] }),
        ),
        allowedWorkloads: Type.Optional(AllowedWorkloads),
      }),
      async handle(context, body) {
        const result = await createKey(
          context.keychain,
          context.params.tenant ?? '',
          { ...body, account: body.accountRef },
          actor(context),
        );
        return { status: result.created ? 201 : 200, body: result.key };
      },
    }),
    route({
      method: 'GET',
      path: `${T}/keys/:name`,
      summary: 'Read a key with its versions, last and next rotation',
      access: 'read',
      handle: async (context) => ({
        status: 200,
        body: await getKey(context.keychain.db, context.params.tenant ?? '', context.params.name ?? ''),
      }),
    }),
    route({
      method: 'PATCH',
      path: `${T}/keys/:name`,
      summary: 'Change the rotation schedule, retention, allowed workloads or state of a key',
      access: 'write',
      body: Type.Object({
        rotationSchedule: Type.Optional(Type.String({ maxLength: 32 })),
        retention: Type.Optional(Retention),
        state: Type.Optional(
          Type.Unsafe<'ENABLED' | 'DISABLED'>({ type: 'string', enum: ['ENABLED', 'DISABLED'] }),
        ),
        allowedWorkloads: Type.Optional(AllowedWorkloads),
      }),
      async handle(context, body) {
        const tenant = context.params.tenant ?? '';
        const name = context.params.name ?? '';
        if (
          body.rotationSchedule !== undefined ||
          body.retention !== undefined ||
          body.allowedWorkloads !== undefined
        ) {
          await setKeyPolicy(
            context.keychain,
            tenant,
            name,
            {
              ...(body.rotationSchedule ? { rotationSchedule: body.rotationSchedule } : {}),
              ...(body.retention ? { retention: body.retention } : {}),
              ...(body.allowedWorkloads ? { allowedWorkloads: body.allowedWorkloads } : {}),
            },
            actor(context),
          );
        }
        if (body.state) await setKeyState(context.keychain, tenant, name, body.state, actor(context));
        return { status: 200, body: await getKey(context.keychain.db, tenant, name) };
      },
    }),
    route({
      method: 'POST',
      path: `${T}/keys/:name/rotate`,
      summary: 'Rotate now: version + 1, once per request id',
      access: 'write',
      body: Type.Object({
        requestId: Type.String({ minLength: 1, maxLength: 256 }),
        requestedBy: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 256,
            description: 'The user a product service rotates for (the controller applying rotate-now)',
          }),
        ),
      }),
      async handle(context, body) {
        if (body.requestedBy !== undefined && !context.principal.system)
          throw new CmkError(
            'PERMISSION_DENIED',
            'only product services may rotate on behalf of another user; leave requestedBy out',
          );
        const result = await rotateKey(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          `request:${body.requestId}`,
          body.requestedBy ? { name: body.requestedBy, via: context.principal.username } : actor(context),
        );
        return { status: 200, body: { ...result.key, rotated: result.rotated, version: result.version } };
      },
    }),
    route({
      method: 'DELETE',
      path: `${T}/keys/:name`,
      summary: 'Schedule a key for destruction; decrypt is refused while pending',
      access: 'write',
      handle: async (context) => ({
        status: 202,
        body: await deleteKey(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          actor(context),
        ),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/keys/:name/cancel-deletion`,
      summary: 'Cancel the scheduled destruction of a key',
      access: 'write',
      handle: async (context) => ({
        status: 200,
        body: await cancelKeyDeletion(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          actor(context),
        ),
      }),
    }),
    route({
      method: 'POST',
      path: `${T}/keys/:name/encrypt`,
      summary: 'Encrypt data with the current version of a key',
      access: 'write',
      body: Type.Object({
        plaintext: base64('the data'),
        context: Type.String({ maxLength: 1024, default: '' }),
      }),
      async handle(context, body) {
        const result = await encrypt(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          Buffer.from(body.plaintext, 'base64'),
          body.context,
        );
        return { status: 200, body: result };
      },
    }),
    route({
      method: 'POST',
      path: `${T}/keys/:name/decrypt`,
      summary: 'Decrypt data with the version that encrypted it',
      access: 'write',
      body: Type.Object({
        ciphertext: Type.String({ maxLength: 100_000 }),
        context: Type.String({ maxLength: 1024, default: '' }),
      }),
      async handle(context, body) {
        const result = await decrypt(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          body.ciphertext,
          body.context,
        );
        return {
          status: 200,
          body: { plaintext: result.plaintext.toString('base64'), version: result.version },
        };
      },
    }),
    route({
      method: 'GET',
      path: `${T}/audit`,
      summary:
        'The audit trail of a tenant: who did what, when, with which result; filter by subject, actor, action (or a family such as key.) and time; page oldest-first with after or newest-first with order=newest and before',
      access: 'read',
      async handle(context) {
        const tenant = await getTenant(context.keychain.db, context.params.tenant ?? '');
        const query = context.query;
        const order = query.get('order') ?? 'oldest';
        if (order !== 'oldest' && order !== 'newest')
          throw new CmkError('INVALID_ARGUMENT', 'order must be oldest or newest', { field: 'order' });
        const cursor = (name: string) =>
          query.has(name)
            ? integerQuery(query, name, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 })
            : undefined;
        const text = (name: string) => {
          const value = query.get(name);
          if (value === null || value === '') return undefined;
          if (value.length > 2048)
            throw new CmkError('INVALID_ARGUMENT', `${name} may be at most 2048 characters`, { field: name });
          return value;
        };
        const time = (name: string) => {
          const value = text(name);
          if (value === undefined) return undefined;
          const parsed = new Date(value);
          if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(parsed.getTime()))
            throw new CmkError('INVALID_ARGUMENT', `${name} must be a time such as 2026-12-01T00:00:00Z`, {
              field: name,
            });
          return parsed;
        };
        const page = await listAudit(context.keychain.db, tenant.id, {
          order,
          ...optional('after', cursor('after')),
          ...optional('before', cursor('before')),
          limit: integerQuery(query, 'limit', { min: 1, max: 1000, fallback: 100 }),
          ...optional('subject', text('subject')),
          ...optional('actor', text('actor')),
          ...optional('action', text('action')),
          ...optional('since', time('since')),
          ...optional('until', time('until')),
        });
        return { status: 200, body: page };
      },
    }),
  ];
  return routes;
}
