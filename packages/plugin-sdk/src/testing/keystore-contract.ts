import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginError, type PluginErrorCode } from '../errors.js';
import type { KeyHandle, KeystoreProvider } from '../keystore.js';

/** What an implementation hands the keystore contract suite. */
export interface KeystoreContractSubject {
  /** A configured plugin that holds `existingKey`. */
  plugin: KeystoreProvider;
  existingKey: KeyHandle;
  /** A well-formed reference to a key that does not exist. */
  missingKey: KeyHandle;
  /**
   * A well-formed reference the suite may create, disable and delete. Keystores that name keys
   * themselves (KMS assigns ARNs) return the real reference from createKey; the suite uses that.
   */
  scratchKey: KeyHandle;
  /**
   * `createOnly` for keystores without a disabled state or deletion with a waiting period (OpenBao
   * Transit): the suite then checks that they refuse those operations as permanent errors.
   */
  lifecycle?: 'full' | 'createOnly';
  /** Access data this provider must refuse. */
  invalidAccessData: Record<string, unknown>;
  /** The same keystore reached with wrong credentials. */
  withBadCredentials(): Promise<KeystoreProvider>;
  /** The same keystore, unreachable (server stopped, network gone). */
  unreachable(): Promise<KeystoreProvider>;
  cleanup(): Promise<void>;
}

/** The classified error an operation fails with (and a test failure when it succeeds or throws anything else). */
export async function failureOf(operation: Promise<unknown>): Promise<PluginError> {
  try {
    await operation;
  } catch (error) {
    if (error instanceof PluginError) return error;
    throw new Error(`expected a classified PluginError, got: ${String(error)}`);
  }
  throw new Error('expected the operation to fail');
}

async function expectCode(operation: Promise<unknown>, code: PluginErrorCode): Promise<PluginError> {
  const error = await failureOf(operation);
  expect(error.code).toBe(code);
  return error;
}

const aad = (text: string) => new TextEncoder().encode(text);

/** The behaviour every keystore plugin must show; each implementation runs it against itself. */
export function keystoreContract(name: string, setup: () => Promise<KeystoreContractSubject>): void {
  describe(`${name} keeps the keystore contract`, () => {
    let subject: KeystoreContractSubject;
    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    it('wraps and unwraps key material, and the ciphertext reveals nothing of it', async () => {
      const material = randomBytes(32);
      const wrapped = await subject.plugin.wrapKey(subject.existingKey, material, aad('tenant-a/account-1'));
      expect(Buffer.from(wrapped.ciphertext).includes(material)).toBe(false);
      expect(wrapped.keyVersion).toBeTruthy();
      const unwrapped = await subject.plugin.unwrapKey(
        subject.existingKey,
        wrapped.ciphertext,
        aad('tenant-a/account-1'),
      );
      expect(Buffer.from(unwrapped).equals(material)).toBe(true);
    });

    it('refuses tampered ciphertext and the wrong context', async () => {
      const wrapped = await subject.plugin.wrapKey(
        subject.existingKey,
        randomBytes(32),
        aad('tenant-a/account-1'),
      );
      for (const position of [wrapped.ciphertext.length - 1, Math.floor(wrapped.ciphertext.length / 2)]) {
        const tampered = Uint8Array.from(wrapped.ciphertext);
        tampered[position] = (tampered[position] ?? 0) ^ 0x01;
        await expectCode(
          subject.plugin.unwrapKey(subject.existingKey, tampered, aad('tenant-a/account-1')),
          'DECRYPTION_FAILED',
        );
      }
      await expectCode(
        subject.plugin.unwrapKey(subject.existingKey, wrapped.ciphertext, aad('tenant-b/account-1')),
        'DECRYPTION_FAILED',
      );
    });

    it('reports an unknown key as not found, and as not usable when validating', async () => {
      await expectCode(subject.plugin.getKey(subject.missingKey), 'KEY_NOT_FOUND');
      await expectCode(
        subject.plugin.wrapKey(subject.missingKey, randomBytes(32), aad('x')),
        'KEY_NOT_FOUND',
      );
      const validation = await subject.plugin.validateKey(subject.missingKey);
      expect(validation.usable).toBe(false);
      expect(validation.reason).toMatch(/not found/i);
      expect((await subject.plugin.validateKey(subject.existingKey)).usable).toBe(true);
    });

    it('refuses invalid key access data', async () => {
      await expectCode(
        subject.plugin.validateKeyAccessData(subject.invalidAccessData),
        'INVALID_KEY_ACCESS_DATA',
      );
      await subject.plugin.validateKeyAccessData(subject.existingKey.accessData);
    });

    it('reports bad credentials as a permanent authentication error', async () => {
      const plugin = await subject.withBadCredentials();
      const error = await expectCode(
        plugin.wrapKey(subject.existingKey, randomBytes(32), aad('x')),
        'AUTHENTICATION_FAILED',
      );
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('failed to authenticate with the keystore provider');
      await plugin.close?.();
    });

    it('reports an unreachable keystore as retryable, and health shows it', async () => {
      const plugin = await subject.unreachable();
      const error = await expectCode(
        plugin.wrapKey(subject.existingKey, randomBytes(32), aad('x')),
        'UNAVAILABLE',
      );
      expect(error.retryable).toBe(true);
      expect((await plugin.health()).status).toBe('unhealthy');
      expect((await subject.plugin.health()).status).toBe('healthy');
      await plugin.close?.();
    });

    it('creates, disables, enables and schedules deletion of a key', async () => {
      const created = await subject.plugin.createKey(subject.scratchKey);
      const scratch: KeyHandle = { ...subject.scratchKey, keyReference: created.keyReference };
      expect(created.state).toBe('ENABLED');
      expect(
        (await subject.plugin.getKeyVersions(scratch)).filter((version) => version.current),
      ).toHaveLength(1);
      const wrapped = await subject.plugin.wrapKey(scratch, randomBytes(32), aad('x'));
      if (subject.lifecycle === 'createOnly') {
        for (const refused of [
          subject.plugin.disableKey(scratch),
          subject.plugin.enableKey(scratch),
          subject.plugin.deleteKey(scratch, { windowDays: 7 }),
        ]) {
          const error = await failureOf(refused);
          expect(error.retryable).toBe(false);
        }
        expect((await subject.plugin.unwrapKey(scratch, wrapped.ciphertext, aad('x'))).length).toBe(32);
        return;
      }
      await subject.plugin.disableKey(scratch);
      expect((await subject.plugin.getKey(scratch)).state).toBe('DISABLED');
      await expectCode(subject.plugin.unwrapKey(scratch, wrapped.ciphertext, aad('x')), 'KEY_DISABLED');
      expect((await subject.plugin.validateKey(scratch)).usable).toBe(false);
      await subject.plugin.enableKey(scratch);
      expect((await subject.plugin.unwrapKey(scratch, wrapped.ciphertext, aad('x'))).length).toBe(32);
      await subject.plugin.deleteKey(scratch, { windowDays: 7 });
      expect((await subject.plugin.getKey(scratch)).state).toBe('PENDING_DELETION');
      await expectCode(subject.plugin.wrapKey(scratch, randomBytes(32), aad('x')), 'KEY_DISABLED');
    });
  });
}
