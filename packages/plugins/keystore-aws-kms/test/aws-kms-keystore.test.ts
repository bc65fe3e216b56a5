import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { failureOf } from '@openkcm/plugin-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsKmsKeystore } from '../src/index.js';
import { type AwsFixture, awsFixture, REGION } from './aws-fixture.js';

const AAD = Buffer.from('tenant-acme/account-payments/1');

let fixture: AwsFixture;
let key: string;
beforeAll(async () => {
  fixture = await awsFixture();
  key = fixture.aws.createKey(REGION);
});
afterAll(() => fixture?.close());

const count = (action: string, status = 200) =>
  fixture.aws.requests.filter((request) => request.action === action && request.status === status).length;

describe('IRSA', () => {
  it('encrypts and decrypts a test payload with a KMS key using only the web identity (seed 000)', async () => {
    // Static keys in the environment must not be picked up: KMS would refuse them anyway.
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    try {
      const plugin = await fixture.keystore();
      const before = count('AssumeRoleWithWebIdentity');
      const payload = randomBytes(32);
      const wrapped = await plugin.wrapKey({ keyReference: key }, payload, AAD);
      const unwrapped = await plugin.unwrapKey({ keyReference: key }, wrapped.ciphertext, AAD);
      expect(Buffer.from(unwrapped).equals(payload)).toBe(true);
      expect(count('AssumeRoleWithWebIdentity') - before).toBe(1);
      expect(fixture.aws.requests.filter((request) => request.status !== 200)).toEqual([]);
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('refreshes the credentials before they expire, so no request meets expired credentials', async () => {
    // Five minutes and one second: within a second or two they are inside the refresh margin.
    fixture.aws.setCredentialLifetime(301);
    try {
      const plugin = await fixture.keystore();
      await plugin.getKey({ keyReference: key });
      const before = count('AssumeRoleWithWebIdentity');
      await sleep(1500);
      await plugin.getKey({ keyReference: key });
      expect(count('AssumeRoleWithWebIdentity') - before).toBe(1);
      expect(count('DescribeKey', 400)).toBe(0);
    } finally {
      fixture.aws.setCredentialLifetime(3600);
    }
  });

  it('assumes the role again when KMS stops accepting the session', async () => {
    const plugin = await fixture.keystore();
    await plugin.getKey({ keyReference: key });
    fixture.aws.revokeSessions();
    expect((await plugin.getKey({ keyReference: key })).state).toBe('ENABLED');
  });

  it('reports a role that no longer trusts the web identity as a permanent authentication failure', async () => {
    const roleArn = fixture.aws.addRole('revoked-trust', { webIdentityToken: 'someone-else' });
    const plugin = await fixture.keystore({ roleArn });
    const error = await failureOf(plugin.wrapKey({ keyReference: key }, randomBytes(32), AAD));
    expect([error.code, error.retryable]).toEqual(['AUTHENTICATION_FAILED', false]);
    expect((await plugin.health()).status).toBe('unhealthy');
  });

  it('runs an Account under its own role (spec.aws.roleArn), assumed with the same web identity', async () => {
    const plugin = await fixture.keystore({ roleArn: fixture.role('describe-only', ['DescribeKey']) });
    const full = fixture.role('tenant-acme', ['DescribeKey', 'Encrypt', 'Decrypt']);
    expect((await failureOf(plugin.wrapKey({ keyReference: key }, randomBytes(32), AAD))).code).toBe(
      'PERMISSION_DENIED',
    );
    const account = { keyReference: key, accessData: { roleArn: full } };
    expect((await plugin.validateKey(account)).usable).toBe(true);
  });
});

describe('the minimum IAM policy: kms:DescribeKey, kms:Encrypt, kms:Decrypt', () => {
  it('is enough to validate, wrap and unwrap, and each action is needed', async () => {
    const actions = ['DescribeKey', 'Encrypt', 'Decrypt'] as const;
    const enough = await fixture.keystore({ roleArn: fixture.role('minimum', [...actions]) });
    expect((await enough.validateKey({ keyReference: key })).usable).toBe(true);
    for (const missing of actions) {
      const plugin = await fixture.keystore({
        roleArn: fixture.role(
          `without-${missing}`,
          actions.filter((action) => action !== missing),
        ),
      });
      const validation = await plugin.validateKey({ keyReference: key });
      expect(validation.usable, `without kms:${missing}`).toBe(false);
      expect(validation.reason).toContain(`kms:${missing}`);
    }
  });
});

describe('keys', () => {
  it('says why a disabled key cannot be used', async () => {
    const disabled = fixture.aws.createKey(REGION);
    fixture.aws.disableKey(disabled);
    const plugin = await fixture.keystore();
    expect(await plugin.validateKey({ keyReference: disabled })).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/Disabled in AWS KMS/),
    });
    expect((await failureOf(plugin.wrapKey({ keyReference: disabled }, randomBytes(32), AAD))).code).toBe(
      'KEY_DISABLED',
    );
  });

  it('calls KMS in the region the key ARN names', async () => {
    const elsewhere = fixture.aws.createKey('us-east-1');
    const plugin = await fixture.keystore();
    expect((await plugin.validateKey({ keyReference: elsewhere })).usable).toBe(true);
    const wrongRegion = elsewhere.replace('us-east-1', 'eu-west-1');
    expect((await failureOf(plugin.getKey({ keyReference: wrongRegion }))).code).toBe('KEY_NOT_FOUND');
  });

  it('refuses references that are not key ARNs', async () => {
    const plugin = await fixture.keystore();
    for (const reference of ['alias/openkcm', 'arn:aws:kms:eu-central-1:111122223333:alias/x', 'acme-root'])
      expect((await failureOf(plugin.getKey({ keyReference: reference }))).code).toBe(
        'INVALID_KEY_ACCESS_DATA',
      );
  });
});

describe('configuration', () => {
  const valid = {
    roleArn: 'arn:aws:iam::111122223333:role/openkcm-cmk',
    webIdentityTokenFile: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  };
  it.each([
    [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }, /accessKeyId/],
    [{ roleArn: 'openkcm-cmk' }, /roleArn/],
    [{ endpoints: { kms: 'http://kms.internal.example' } }, /endpoints.kms/],
    [{ region: 'Europe' }, /region/],
    [{ maxAttempts: 0 }, /maxAttempts/],
  ])('rejects %j naming the field', async (change, message) => {
    const error = await failureOf(new AwsKmsKeystore().configure({ ...valid, ...change }));
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toMatch(message);
  });

  it('needs a web identity: without the token file there is no credential at all', async () => {
    const plugin = await fixture.keystore({ webIdentityTokenFile: '/nonexistent/token' });
    const error = await failureOf(plugin.wrapKey({ keyReference: key }, randomBytes(32), AAD));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
  });
});
