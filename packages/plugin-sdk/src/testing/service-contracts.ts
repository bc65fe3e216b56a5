import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginError } from '../errors.js';
import type {
  CertificateIssuerService,
  IdentityManagementService,
  KeyChainEvent,
  NotificationService,
  SystemInformationService,
} from '../services.js';

interface Subject<P> {
  plugin: P;
  cleanup(): Promise<void>;
}

function withSubject<S extends { cleanup(): Promise<void> }>(setup: () => Promise<S>): () => S {
  let subject: S | undefined;
  beforeAll(async () => {
    subject = await setup();
  });
  afterAll(async () => {
    await subject?.cleanup();
  });
  return () => {
    if (!subject) throw new Error('the contract subject was not set up');
    return subject;
  };
}

async function configurationError(operation: Promise<unknown>): Promise<PluginError> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof PluginError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

/** Identity plugins: tokens become principals with workspace grants; anything else is refused. */
export function identityContract(
  name: string,
  setup: () => Promise<
    Subject<IdentityManagementService> & {
      validToken(): Promise<string>;
      forgedToken(): Promise<string>;
      expectedUsername: string;
    }
  >,
): void {
  describe(`${name} keeps the identity contract`, () => {
    const subject = withSubject(setup);
    it('turns a valid token into a principal', async () => {
      const { plugin, validToken, expectedUsername } = subject();
      const principal = await plugin.authenticate(await validToken());
      expect(principal.username).toBe(expectedUsername);
      expect(Array.isArray(principal.grants)).toBe(true);
    });
    it('refuses a missing or forged token', async () => {
      const { plugin, forgedToken } = subject();
      await expect(plugin.authenticate(undefined)).rejects.toThrow();
      await expect(plugin.authenticate(await forgedToken())).rejects.toThrow();
    });
    it('reports health and refuses a bad configuration', async () => {
      expect(['healthy', 'degraded', 'unhealthy']).toContain((await subject().plugin.health()).status);
      expect((await configurationError(subject().plugin.configure({ issuer: 42 }))).code).toBe(
        'INVALID_CONFIGURATION',
      );
    });
  });
}

/** Certificate issuers: client certificates that name the tenant in the SAN and chain to the CA. */
export function certificateIssuerContract(
  name: string,
  setup: () => Promise<Subject<CertificateIssuerService>>,
): void {
  describe(`${name} keeps the certificate issuer contract`, () => {
    const subject = withSubject(setup);
    it('issues a client certificate with the tenant ID in the SAN, signed by its CA', async () => {
      const issued = await subject().plugin.issueClientCertificate({
        tenantID: 'tenant-1234',
        commonName: 'crypto-edge',
        validityHours: 24,
      });
      const certificate = new X509Certificate(issued.certificatePem);
      const ca = new X509Certificate(issued.caPem);
      expect(certificate.verify(ca.publicKey)).toBe(true);
      // What a server trusts (the trust bundle) verifies what the issuer issues.
      const bundle = new X509Certificate(await subject().plugin.trustBundle());
      expect(certificate.verify(bundle.publicKey)).toBe(true);
      expect(certificate.subjectAltName).toContain('tenant-1234');
      expect(certificate.keyUsage ?? []).not.toContain('1.3.6.1.5.5.7.3.1');
      expect(Date.parse(issued.notAfter) - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000 + 60_000);
      expect(issued.privateKeyPem).toContain('PRIVATE KEY');
    });
    it('refuses a tenant ID that could smuggle another identity into the SAN', async () => {
      await expect(
        subject().plugin.issueClientCertificate({
          tenantID: 'a,DNS:evil',
          commonName: 'x',
          validityHours: 1,
        }),
      ).rejects.toThrow();
    });
    it('reports health', async () => {
      expect((await subject().plugin.health()).status).toBe('healthy');
    });
  });
}

/** System information: tenant validation and the hierarchy rule for Account references. */
export function systemInformationContract(
  name: string,
  setup: () => Promise<
    Subject<SystemInformationService> & {
      validTenant: { workspace: string; region?: string; audiences?: string[] };
      invalidRegion: string;
    }
  >,
): void {
  describe(`${name} keeps the system information contract`, () => {
    const subject = withSubject(setup);
    it('accepts a valid tenant and names the field of an invalid one', async () => {
      const { plugin, validTenant, invalidRegion } = subject();
      expect(await plugin.validateTenant(validTenant)).toEqual({ valid: true, problems: [] });
      const invalid = await plugin.validateTenant({ ...validTenant, region: invalidRegion });
      expect(invalid.valid).toBe(false);
      expect(invalid.problems.map((problem) => problem.field)).toContain('region');
    });
    it('allows Accounts of its own workspace or a parent in the same organisation, saying why not otherwise', async () => {
      const { plugin } = subject();
      const allowed = async (key: string, account: string) =>
        (await plugin.sameHierarchy(key, account)).allowed;
      expect(await allowed('root:orgs:acme', 'root:orgs:acme')).toBe(true);
      expect(await allowed('root:orgs:acme:team-a', 'root:orgs:acme')).toBe(true);
      // Another organisation, a child, a sibling, and a look-alike name are each refused with a reason.
      for (const [key, account] of [
        ['root:orgs:globex', 'root:orgs:acme'],
        ['root:orgs:acme', 'root:orgs:acme:team-a'],
        ['root:orgs:acme:team-a', 'root:orgs:acme:team-b'],
        ['root:orgs:acme-evil', 'root:orgs:acme'],
      ] as const) {
        const decision = await plugin.sameHierarchy(key, account);
        expect(decision.allowed, `${key} → ${account}`).toBe(false);
        if (!decision.allowed) expect(decision.reason.length).toBeGreaterThan(10);
      }
    });
  });
}

/** Notification plugins: events are delivered, never with key material, and failures are classified. */
export function notificationContract(
  name: string,
  setup: () => Promise<Subject<NotificationService> & { delivered(): Promise<KeyChainEvent[]> }>,
): void {
  describe(`${name} keeps the notification contract`, () => {
    const subject = withSubject(setup);
    it('delivers an alert that fires', async () => {
      const full = subject();
      const event: KeyChainEvent = {
        type: 'RotationFailed',
        tenant: 'root:orgs:acme',
        severity: 'critical',
        summary: 'the scheduled rotation of orders failed',
        subject: { kind: 'ServiceEncryptionKey', name: 'orders' },
        occurredAt: new Date().toISOString(),
        status: 'firing',
        labels: { key: 'orders' },
      };
      await full.plugin.notify(event);
      expect((await full.delivered()).map((delivered) => delivered.summary)).toContain(
        'the scheduled rotation of orders failed',
      );
    });
    it('reports health', async () => {
      expect((await subject().plugin.health()).status).toBe('healthy');
    });
  });
}
