import { SchemaValidationError } from '@openkcm/schema';
import { describe, expect, it } from 'vitest';
import {
  describeRotationSchedule,
  KEY_REFERENCE_FORMATS,
  PLANNED_PROVIDER_TYPES,
  PROVIDER_TYPES,
  parseAccount,
  parseServiceEncryptionKey,
  parseTenant,
  parseWebHookNotification,
  rotationPeriod,
  rotationScheduleSeconds,
} from '../src/index.js';

function failureFields(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof SchemaValidationError) return error.causes.map((cause) => cause.field);
    throw error;
  }
  throw new Error('expected the input to be refused');
}

describe('Account', () => {
  it.each(PROVIDER_TYPES.filter((provider) => provider !== 'OpenBao' && provider !== 'ThalesHSM'))(
    'accepts a %s key reference in its own format',
    (provider) => {
      const account = parseAccount({
        metadata: { name: 'a' },
        spec: { providerType: provider, keyReference: KEY_REFERENCE_FORMATS[provider].example },
      });
      expect(account.spec.providerType).toBe(provider);
    },
  );

  it.each(PLANNED_PROVIDER_TYPES)(
    'refuses %s, which has no keystore plugin yet, naming the providers there are',
    (provider) => {
      try {
        parseAccount({ spec: { providerType: provider, keyReference: 'any' } });
        throw new Error('accepted');
      } catch (error) {
        if (!(error instanceof SchemaValidationError)) throw error;
        const cause = error.causes.find((item) => item.field === 'spec.providerType');
        expect(cause?.message).toMatch(/supported values: "AWS", "OpenBao", "ThalesHSM", "Local"/);
      }
    },
  );

  it('accepts OpenBao naming its server and namespace, and keeps no login or TLS settings of a tenant', () => {
    const account = parseAccount({
      spec: {
        providerType: 'OpenBao',
        keyReference: 'transit/keys/acme-root',
        openBao: {
          address: 'https://bao.example.com:8200',
          namespace: 'tenants/acme',
          auth: { method: 'AppRole', appRole: { roleIDSecretRef: { name: 'approle', key: 'role-id' } } },
          tlsServerName: 'elsewhere.example.com',
        },
      },
    });
    expect(account.spec.openBao).toEqual({
      address: 'https://bao.example.com:8200',
      namespace: 'tenants/acme',
    });
  });

  it('refuses a key reference in another provider format, naming the field', () => {
    expect(
      failureFields(() => parseAccount({ spec: { providerType: 'AWS', keyReference: 'transit/keys/acme' } })),
    ).toContain('spec.keyReference');
    expect(
      failureFields(() => parseAccount({ spec: { providerType: 'Local', keyReference: 'Not A Label' } })),
    ).toContain('spec.keyReference');
  });

  it('refuses an unknown provider and an http OpenBao address', () => {
    expect(
      failureFields(() => parseAccount({ spec: { providerType: 'Vault', keyReference: 'x' } })),
    ).toContain('spec.providerType');
    const insecure = () =>
      parseAccount({
        spec: {
          providerType: 'OpenBao',
          keyReference: 'transit/keys/k',
          openBao: { address: 'http://bao:8200' },
        },
      });
    expect(failureFields(insecure)).toContain('spec.openBao.address');
  });

  it('refuses settings of another provider and drops inline credentials', () => {
    const mixed = () =>
      parseAccount({
        spec: {
          providerType: 'AWS',
          keyReference: KEY_REFERENCE_FORMATS.AWS.example,
          thalesHSM: { tokenLabel: 't' },
        },
      });
    expect(failureFields(mixed)).toContain('spec');
    const inline = parseAccount({
      spec: {
        providerType: 'AWS',
        keyReference: KEY_REFERENCE_FORMATS.AWS.example,
        aws: { secretAccessKey: 'inline!' },
      },
    });
    expect(inline.spec.aws).toEqual({});
  });
});

describe('ServiceEncryptionKey', () => {
  it("accepts the seed's schedule words and the short form, and reads each as one period", () => {
    const periods = {
      Hourly: '1h',
      Daily: '1d',
      Weekly: '7d',
      Monthly: '30d',
      '30 Days': '30d',
      '1 Day': '1d',
      '12 Hours': '12h',
      '36h': '36h',
      '48h': '2d',
      '90d': '90d',
    };
    for (const [rotationSchedule, period] of Object.entries(periods)) {
      const key = parseServiceEncryptionKey({ spec: { accountRef: { name: 'root' }, rotationSchedule } });
      expect(key.spec.rotationSchedule).toBe(rotationSchedule);
      expect(rotationPeriod(rotationScheduleSeconds(rotationSchedule) ?? 0), rotationSchedule).toBe(period);
    }
    expect(describeRotationSchedule('Daily')).toBe('every day');
    expect(describeRotationSchedule('36h')).toBe('every 36 hours');
    expect(rotationScheduleSeconds('fortnightly')).toBeUndefined();
  });

  it('defaults algorithm, schedule and state', () => {
    const key = parseServiceEncryptionKey({ spec: { accountRef: { name: 'root' } } });
    expect(key.spec).toMatchObject({ algorithm: 'AES-GCM-256', rotationSchedule: '30d', state: 'Enabled' });
  });

  it('refuses bad schedules, SPIFFE IDs and account names', () => {
    for (const rotationSchedule of ['fortnightly', '0d', '30 Dayz', '10000d', '30  Days', 'daily '])
      expect(
        failureFields(() =>
          parseServiceEncryptionKey({ spec: { accountRef: { name: 'root' }, rotationSchedule } }),
        ),
        rotationSchedule,
      ).toEqual(['spec.rotationSchedule']);
    expect(
      failureFields(() =>
        parseServiceEncryptionKey({
          spec: { accountRef: { name: 'root' }, allowedWorkloads: ['https://not-spiffe'] },
        }),
      ),
    ).toEqual(['spec.allowedWorkloads[0]']);
    expect(
      failureFields(() => parseServiceEncryptionKey({ spec: { accountRef: { name: 'Root_Account' } } })),
    ).toEqual(['spec.accountRef.name']);
    expect(
      failureFields(() =>
        parseServiceEncryptionKey({
          spec: { accountRef: { name: 'root' }, allowedWorkloads: ['spiffe://a/b', 'spiffe://a/b'] },
        }),
      ),
    ).toEqual(['spec.allowedWorkloads[1]']);
  });
});

describe('Tenant and WebHookNotification', () => {
  it('limit region, audiences and webhook URLs', () => {
    expect(parseTenant({ spec: { region: 'eu-central-1', audiences: ['openkcm'] } }).spec.region).toBe(
      'eu-central-1',
    );
    expect(
      failureFields(() =>
        parseTenant({ spec: { audiences: Array.from({ length: 17 }, (_, index) => `a${index}`) } }),
      ),
    ).toEqual(['spec.audiences']);
    const hook = {
      url: 'https://hooks.example.com/openkcm',
      events: ['KeyRotated'],
      signingSecretRef: { name: 'hook', key: 'hmac' },
    };
    expect(parseWebHookNotification({ spec: hook }).spec.enabled).toBe(true);
    // An http URL is the controller's to refuse, with a condition saying why (an operator may allow it).
    expect(parseWebHookNotification({ spec: { ...hook, url: 'http://hooks.example.com' } }).spec.url).toBe(
      'http://hooks.example.com',
    );
    expect(failureFields(() => parseWebHookNotification({ spec: { ...hook, url: '' } }))).toEqual([
      'spec.url',
    ]);
    expect(failureFields(() => parseWebHookNotification({ spec: { ...hook, events: [] } }))).toEqual([
      'spec.events',
    ]);
  });

  it('validates status conditions', () => {
    const bad = {
      spec: {},
      status: {
        conditions: [{ type: 'Ready', status: 'Yes', reason: 'ok', message: '', lastTransitionTime: 'now' }],
      },
    };
    expect(failureFields(() => parseTenant(bad))).toEqual([
      'status.conditions[0].status',
      'status.conditions[0].lastTransitionTime',
    ]);
  });
});
