import type { Principal } from '@openkcm/auth';
import type { Plugin } from './plugin.js';

/** FR-1: who calls CMK. Users by OIDC token (roles from the workspace), workloads by SPIFFE identity. */
export interface IdentityManagementService extends Plugin {
  readonly type: 'IdentityManagementService';
  authenticate(bearerToken: string | undefined): Promise<Principal>;
}

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
  notAfter: string;
}

/** FR-2: client certificates for components, with the tenant ID in the SAN. */
export interface CertificateIssuerService extends Plugin {
  readonly type: 'CertificateIssuerService';
  issueClientCertificate(request: {
    tenantID: string;
    commonName: string;
    validityHours: number;
  }): Promise<IssuedCertificate>;
  /** The CA certificates (PEM) a server trusts to verify the certificates this issuer issues. */
  trustBundle(): Promise<string>;
}

export interface TenantValidation {
  valid: boolean;
  problems: Array<{ field: 'region' | 'audiences' | 'workspace'; message: string }>;
}

/** FR-4: what the platform knows about tenants and their hierarchy. */
export interface SystemInformationService extends Plugin {
  readonly type: 'SystemInformationService';
  validateTenant(request: {
    workspace: string;
    region?: string;
    audiences?: string[];
  }): Promise<TenantValidation>;
  /**
   * Whether a key in `keyWorkspace` may use an Account of `accountWorkspace` (FR-4.3): its own
   * workspace or an ancestor in the same tenant hierarchy. A refusal says why, in words.
   */
  sameHierarchy(keyWorkspace: string, accountWorkspace: string): Promise<HierarchyDecision>;
}

export type HierarchyDecision = { allowed: true } | { allowed: false; reason: string };

export type NotificationSeverity = 'info' | 'warning' | 'critical';

export interface KeyChainEvent {
  /** What happened or what is wrong, in one word (`L1KeyUnreachable`, `KeyRotated`): the alert name. */
  type: string;
  /** The tenant's workspace path, or `*` for the whole service (a plugin of CMK itself). */
  tenant: string;
  severity: NotificationSeverity;
  summary: string;
  subject?: { kind: string; name: string };
  occurredAt: string;
  /**
   * Conditions that last (an unreachable L1 key) are `firing` until the same type and subject come
   * `resolved`; without it the event happened once.
   */
  status?: 'firing' | 'resolved';
  /** What an operator should do about it. */
  action?: string;
  /** More ways to route it: `account`, `key`, `edge`. */
  labels?: Record<string, string>;
}

/** FR-5: lifecycle events to the platform's alerting and to tenant webhooks. */
export interface NotificationService extends Plugin {
  readonly type: 'NotificationService';
  notify(event: KeyChainEvent): Promise<void>;
}
