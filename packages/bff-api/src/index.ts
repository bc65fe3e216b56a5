import {
  AwsSettings,
  NOTIFICATION_EVENTS,
  OpenBaoSettings,
  ServiceEncryptionKeySpec,
  ThalesSettings,
  WebHookNotificationSpec,
} from '@openkcm/api';
import { type Static, Type } from '@sinclair/typebox';

// The bodies the BFF accepts: the BFF validates with these, its OpenAPI document is made from
// them, and the microfrontend's forms use the same definitions.

/** The name of an object the console creates (a DNS label, as Kubernetes names them). */
export const ObjectName = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
const NAME = ObjectName;
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
/** The parts of an Account that name and reach its L1 key, for testing the key before creating it. */
export const AccountKeyTest = Type.Pick(AccountBody, [
  'providerType',
  'keyReference',
  'aws',
  'openBao',
  'thalesHSM',
]);
export const AccountPatch = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  region: Type.Optional(Type.String({ maxLength: 64 })),
});
/** Offboarding a tenant is final: the workspace path, typed. */
export const OffboardBody = Type.Object({
  confirm: Type.String({ maxLength: 1024, description: 'The workspace path, typed to confirm' }),
});
export const RekeyBody = Type.Object({
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  confirm: Type.String({ maxLength: 63, description: 'The Account name, typed to confirm' }),
});
export const KeyBody = Type.Object({
  name: NAME,
  accountRef: Type.Object({
    name: NAME,
    // An Account of a parent workspace (FR-4.3); the controller and CMK refuse any other.
    workspace: Type.Optional(
      Type.String({ pattern: '^root(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$', maxLength: 1024 }),
    ),
  }),
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

/**
 * A new webhook: where, which events, and its signing key — generated (the BFF creates the Secret
 * and shows the key once) or an existing Secret's key.
 */
export const WebhookBody = Type.Object({
  name: NAME,
  url: WebHookNotificationSpec.properties.url,
  events: Type.Array(
    Type.Unsafe<(typeof NOTIFICATION_EVENTS)[number]>({ type: 'string', enum: [...NOTIFICATION_EVENTS] }),
    {
      minItems: 1,
      maxItems: NOTIFICATION_EVENTS.length,
      uniqueItems: true,
    },
  ),
  signingSecret: Type.Union([
    Type.Object({ generate: Type.Literal(true) }, { additionalProperties: false }),
    WebHookNotificationSpec.properties.signingSecretRef,
  ]),
});
export const WebhookPatch = Type.Object({
  enabled: Type.Boolean({ description: 'false pauses deliveries; events meanwhile are not delivered later' }),
});
export type WebhookBody = Static<typeof WebhookBody>;
export type WebhookPatch = Static<typeof WebhookPatch>;
/** What creating a webhook answers: the object, and a generated signing key, shown this once. */
export interface WebhookCreated {
  webhook: unknown;
  signingSecret: { name: string; key: string; value?: string };
}

export type AccountBody = Static<typeof AccountBody>;
export type AccountPatch = Static<typeof AccountPatch>;
export type AccountKeyTest = Static<typeof AccountKeyTest>;

/** Whether CMK could use an L1 key, and if not, why, in the keystore's words. */
export interface KeyTestResult {
  usable: boolean;
  reason: string | null;
}
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
  keys: {
    total: number;
    byState: Record<string, number>;
    /** Enabled keys whose scheduled rotation is more than OVERDUE_AFTER_MS late. */
    overdueForRotation: number;
  };
  /** Everything someone should look at, worst first (the overview's "Needs attention" card). */
  attention: AttentionItem[];
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

export type AttentionProblem = 'NotReady' | 'Pending' | 'Disabled' | 'PendingDeletion' | 'OverdueRotation';

export interface AttentionItem {
  kind: 'Tenant' | 'Account' | 'ServiceEncryptionKey';
  name: string;
  problem: AttentionProblem;
  /** The condition's reason, or WaitingForController when no controller has looked at it yet. */
  reason: string;
  message: string;
  /** Since when (the condition's transition, the creation, or the destruction date for deletions). */
  since: string;
}

/** A scheduled rotation this late is overdue (CMK's scheduler runs every few seconds). */
export const OVERDUE_AFTER_MS = 5 * 60_000;
/** Pending this long without the controller saying why is worth a look. */
export const PENDING_ATTENTION_AFTER_MS = 60_000;

/** Keys and Accounts in their deletion waiting period, as CMK holds them. */
export interface PendingDeletionResponse {
  keys: Array<{ name: string; account: string; currentVersion: number; deleteAfter: string }>;
  accounts: Array<{ name: string; providerType: string; keyReference: string; deleteAfter: string }>;
}

/** One version of a key as CMK holds it; origin and createdBy are null for versions made before CMK recorded them. */
export interface KeyVersion {
  version: number;
  state: 'ACTIVE' | 'DESTROY_SCHEDULED' | 'DESTROYED';
  createdAt: string;
  destroyAfter: string | null;
  origin: 'created' | 'schedule' | 'rotate-now' | null;
  createdBy: string | null;
}

/** One entry of the tenant's audit trail. */
export interface AuditEntry {
  id: number;
  occurredAt: string;
  actor: string;
  action: string;
  subject: string;
  result: string;
  details: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as ?before= for the next (older) page; null on the last page. */
  next: number | null;
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
  kind: 'Tenant' | 'Account' | 'ServiceEncryptionKey' | 'WebHookNotification';
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
