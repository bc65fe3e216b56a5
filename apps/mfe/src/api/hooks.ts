import type { Account, ServiceEncryptionKey, Tenant, WebHookNotification } from '@openkcm/api';
import type {
  AccountBody,
  AccountKeyTest,
  AuditPage,
  KeyBody,
  KeyPatch,
  KeyTestResult,
  KeyVersion,
  MeResponse,
  OverviewResponse,
  PendingDeletionResponse,
  RecentEvent,
  RekeyBody,
  TopologyResponse,
  WebhookBody,
  WebhookCreated,
  WorkspaceRole,
} from '@openkcm/bff-api';
import {
  type QueryKey,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { HostContext } from '../host-context.js';
import type { Request } from './client.js';
import { keychainKeys } from './query-keys.js';

export interface KeyChainEnvironment {
  host: HostContext;
  request: Request;
}

export const KeyChainEnvironmentContext = createContext<KeyChainEnvironment | null>(null);

export function useEnvironment(): KeyChainEnvironment {
  const environment = useContext(KeyChainEnvironmentContext);
  if (!environment) throw new Error('Key Chain hooks need the KeyChain component around them');
  return environment;
}

export interface OpenkcmStatus {
  enabled: boolean;
  tenant: Tenant | null;
  role: WorkspaceRole | null;
}
export type KeyDetail = ServiceEncryptionKey & { versions: KeyVersion[] | null };

// One hook per resource; each reads through the BFF with the host's token.

export function useStatus() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.status(host.workspace),
    queryFn: () => request<OpenkcmStatus>('GET', '/openkcm'),
  });
}

export function useOverview() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.overview(host.workspace),
    queryFn: () => request<OverviewResponse>('GET', '/overview'),
  });
}

export function useTopology() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.topology(host.workspace),
    queryFn: () => request<TopologyResponse>('GET', '/topology'),
  });
}

export function useAccounts() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.accounts(host.workspace),
    queryFn: async () => (await request<{ items: Account[] }>('GET', '/accounts')).items,
  });
}

export function useKeys() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.keys(host.workspace),
    queryFn: async () => (await request<{ items: ServiceEncryptionKey[] }>('GET', '/keys')).items,
  });
}

export function useKey(name: string | undefined) {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.key(host.workspace, name ?? ''),
    queryFn: () => request<KeyDetail>('GET', `/keys/${encodeURIComponent(name ?? '')}`),
    enabled: name !== undefined,
  });
}

export function useAccount(name: string) {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.account(host.workspace, name),
    queryFn: () => request<Account>('GET', `/accounts/${encodeURIComponent(name)}`),
  });
}

export type EventKind = 'Account' | 'ServiceEncryptionKey';
const EVENT_PATHS: Record<EventKind, string> = { Account: 'accounts', ServiceEncryptionKey: 'keys' };

export function useObjectEvents(kind: EventKind, name: string) {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.events(host.workspace, kind, name),
    queryFn: async () =>
      (
        await request<{ items: RecentEvent[] }>(
          'GET',
          `/${EVENT_PATHS[kind]}/${encodeURIComponent(name)}/events`,
        )
      ).items,
  });
}

/** The audit trail, newest first, a page at a time ("Show older" loads the next). */
export function useAudit(filters: Record<string, string>, pageSize = 50) {
  const { host, request } = useEnvironment();
  return useInfiniteQuery({
    queryKey: keychainKeys.audit(host.workspace, filters),
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ ...filters, limit: String(pageSize) });
      if (pageParam !== undefined) query.set('before', String(pageParam));
      return request<AuditPage>('GET', `/audit?${query}`);
    },
    getNextPageParam: (page) => page.next ?? undefined,
  });
}

export function usePendingDeletion() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.pendingDeletion(host.workspace),
    queryFn: () => request<PendingDeletionResponse>('GET', '/pending-deletion'),
  });
}

export function useWebhooks() {
  const { host, request } = useEnvironment();
  return useQuery({
    queryKey: keychainKeys.webhooks(host.workspace),
    queryFn: async () => (await request<{ items: WebHookNotification[] }>('GET', '/webhooks')).items,
  });
}

export function useMe() {
  const { request } = useEnvironment();
  return useQuery({ queryKey: keychainKeys.me(), queryFn: () => request<MeResponse>('GET', '/me') });
}

/** A change through the BFF; on success the affected queries reload (the events stream does it too, later). */
function useChange<V, R = unknown>(
  call: (request: Request, variables: V) => Promise<R>,
  stale: (workspace: string, variables: V) => QueryKey[],
) {
  const { host, request } = useEnvironment();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (variables: V) => call(request, variables),
    onSuccess: (_data, variables) =>
      Promise.all(stale(host.workspace, variables).map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
}

const accountViews = (workspace: string) => [
  keychainKeys.accounts(workspace),
  keychainKeys.overview(workspace),
  keychainKeys.topology(workspace),
];
const keyViews = (workspace: string, name: string) => [
  keychainKeys.keys(workspace),
  keychainKeys.key(workspace, name),
  keychainKeys.overview(workspace),
  keychainKeys.topology(workspace),
];

/** CMK's check of an L1 key before an Account is made with it; changes nothing. */
export function useTestKey() {
  const { request } = useEnvironment();
  return useMutation({
    mutationFn: (body: AccountKeyTest) => request<KeyTestResult>('POST', '/account-key-test', body),
  });
}
export const useCreateAccount = () =>
  useChange((request, body: AccountBody) => request('POST', '/accounts', body), accountViews);
export const useRekeyAccount = () =>
  useChange(
    (request, { name, ...body }: RekeyBody & { name: string }) =>
      request('POST', `/accounts/${encodeURIComponent(name)}/rekey`, body),
    accountViews,
  );
export const useDeleteAccount = () =>
  useChange(
    (request, name: string) => request('DELETE', `/accounts/${encodeURIComponent(name)}`),
    (workspace) => [...accountViews(workspace), keychainKeys.pendingDeletion(workspace)],
  );
export const useCreateKey = () =>
  useChange(
    (request, body: KeyBody) => request('POST', '/keys', body),
    (workspace, body) => [...keyViews(workspace, body.name), keychainKeys.accounts(workspace)],
  );
export const useUpdateKey = () =>
  useChange(
    (request, { name, ...patch }: KeyPatch & { name: string }) =>
      request('PATCH', `/keys/${encodeURIComponent(name)}`, patch),
    (workspace, { name }) => keyViews(workspace, name),
  );
export const useRotateKey = () =>
  useChange(
    (request, name: string) => request('POST', `/keys/${encodeURIComponent(name)}/rotate`),
    (workspace, name) => keyViews(workspace, name),
  );
export const useDeleteKey = () =>
  useChange(
    (request, name: string) =>
      request('DELETE', `/keys/${encodeURIComponent(name)}?confirm=${encodeURIComponent(name)}`),
    (workspace, name) => [
      ...keyViews(workspace, name),
      keychainKeys.accounts(workspace),
      keychainKeys.pendingDeletion(workspace),
    ],
  );
export const useCancelDeletion = () =>
  useChange(
    (request, { kind, name }: { kind: EventKind; name: string }) =>
      request('POST', `/${EVENT_PATHS[kind]}/${encodeURIComponent(name)}/cancel-deletion`),
    (workspace, { kind, name }) => [
      keychainKeys.pendingDeletion(workspace),
      ...(kind === 'Account' ? accountViews(workspace) : keyViews(workspace, name)),
    ],
  );

const webhookViews = (workspace: string) => [keychainKeys.webhooks(workspace)];
const webhookPath = (name: string) => `/webhooks/${encodeURIComponent(name)}`;
export const useCreateWebhook = () =>
  useChange((request, body: WebhookBody) => request<WebhookCreated>('POST', '/webhooks', body), webhookViews);
export const useTestWebhook = () =>
  useChange((request, name: string) => request('POST', `${webhookPath(name)}/test`), webhookViews);
export const usePauseWebhook = () =>
  useChange(
    (request, { name, enabled }: { name: string; enabled: boolean }) =>
      request('PATCH', webhookPath(name), { enabled }),
    webhookViews,
  );
export const useDeleteWebhook = () =>
  useChange((request, name: string) => request('DELETE', webhookPath(name)), webhookViews);
