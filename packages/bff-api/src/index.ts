import { AwsSettings, OpenBaoSettings, ServiceEncryptionKeySpec, ThalesSettings } from '@openkcm/api';
import { type Static, Type } from '@sinclair/typebox';

// The bodies the BFF accepts: the BFF validates with these, its OpenAPI document is made from
// them, and the microfrontend's forms use the same definitions.

const NAME = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
export const AccountBody = Type.Object({
  name: NAME,
  providerType: Type.String({ maxLength: 32 }),
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  region: Type.Optional(Type.String({ maxLength: 64 })),
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  // The provider's own settings, exactly as the Account CRD defines them.
  aws: Type.Optional(AwsSettings),
  openBao: Type.Optional(OpenBaoSettings),
  thalesHSM: Type.Optional(ThalesSettings),
});
export const AccountPatch = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  region: Type.Optional(Type.String({ maxLength: 64 })),
});
export const RekeyBody = Type.Object({
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  confirm: Type.String({ maxLength: 63, description: 'The Account name, typed to confirm' }),
});
export const KeyBody = Type.Object({
  name: NAME,
  accountRef: Type.Object({ name: NAME }),
  algorithm: Type.Optional(Type.String({ maxLength: 32 })),
  rotationSchedule: Type.Optional(Type.String({ maxLength: 16 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  allowedWorkloads: ServiceEncryptionKeySpec.properties.allowedWorkloads,
});
export const KeyPatch = Type.Object({
  rotationSchedule: Type.Optional(Type.String({ maxLength: 16 })),
  state: Type.Optional(
    Type.Unsafe<'Enabled' | 'Disabled'>({ type: 'string', enum: ['Enabled', 'Disabled'] }),
  ),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  allowedWorkloads: ServiceEncryptionKeySpec.properties.allowedWorkloads,
});

export type AccountBody = Static<typeof AccountBody>;
export type AccountPatch = Static<typeof AccountPatch>;
export type RekeyBody = Static<typeof RekeyBody>;
export type KeyBody = Static<typeof KeyBody>;
export type KeyPatch = Static<typeof KeyPatch>;

/** Every error of the BFF has this shape. */
export interface ApiErrorBody {
  code: string;
  message: string;
  status: number;
  requestID: string;
  details: Record<string, unknown>;
}

// The shapes the BFF answers with. The BFF's views are typed with these, and the microfrontend reads
// them, so a change on one side fails to compile on the other.

export type WorkspaceRole = 'Admin' | 'Viewer';

export interface MeResponse {
  username: string;
  workspaces: Array<{ path: string; role: WorkspaceRole }>;
}

export interface ReadyCondition {
  status: string;
  reason: string;
  message: string;
}

export interface OverviewResponse {
  tenant: { name: string; phase: string; ready: ReadyCondition | null } | null;
  accounts: { total: number; active: number };
  keys: { total: number; byState: Record<string, number>; dueForRotationIn24h: number };
  l1Health: Array<{
    account: string;
    providerType: string;
    keyReference: string;
    /** From the Account's Ready condition, as l1StateOf reads it. */
    state: L1State;
    ready: string;
    reason: string | null;
    message: string | null;
  }>;
  recentEvents: RecentEvent[];
  /** CMK's plugins and their health; null when CMK did not answer. */
  plugins: Array<{
    name: string;
    plugin: string;
    type: string;
    providerType?: string;
    health: { status: 'healthy' | 'degraded' | 'unhealthy'; message: string; production: boolean };
  }> | null;
}

export interface RecentEvent {
  time: string;
  type: string;
  reason: string;
  message: string;
  object: string;
}

export interface TopologyNode {
  id: string;
  /** Workload: a SPIFFE ID that used its key at a Crypto Edge recently (FR-302). */
  kind: 'L1' | 'L2' | 'L3' | 'Workload';
  label: string;
  state: string;
}

export interface TopologyResponse {
  nodes: TopologyNode[];
  edges: Array<{ from: string; to: string }>;
}

/** One change in the workspace, as the events stream sends it. */
export interface ChangeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: 'Tenant' | 'Account' | 'ServiceEncryptionKey';
  name: string;
}

/** What the console says of an L1 key. */
export type L1State = 'Available' | 'Unreachable' | 'NotUsable' | 'Unknown';

const L1_WORST_FIRST: L1State[] = ['NotUsable', 'Unreachable', 'Unknown', 'Available'];

/**
 * The L1 key's health, read from the same Ready condition the Account carries (so the overview,
 * the topology and `kubectl get` never disagree): the controller's reasons name what failed.
 */
export function l1StateOf(ready: { status: string; reason: string } | undefined): L1State {
  if (!ready) return 'Unknown';
  if (ready.reason === 'L1Unreachable') return 'Unreachable';
  if (ready.reason === 'L1KeyNotUsable' || ready.reason === 'ReKeyFailed') return 'NotUsable';
  return ready.status === 'True' ? 'Available' : 'Unknown';
}

/** Several Accounts can share one L1 key: it is as healthy as its least healthy use says. */
export function worstL1State(states: L1State[]): L1State {
  return L1_WORST_FIRST.find((state) => states.includes(state)) ?? 'Unknown';
}
