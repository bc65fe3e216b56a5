import { keystoreContract } from '@openkcm/plugin-sdk/testing';
import { initialiseToken, SOFTHSM_LIBRARY, softHsmAvailable } from '@openkcm/testkit';
import { describe, expect, it } from 'vitest';
import { Pkcs11Keystore } from '../src/index.js';

async function keystore(configuration: Record<string, unknown>) {
  const plugin = new Pkcs11Keystore();
  await plugin.configure(configuration);
  return plugin;
}

describe.runIf(softHsmAvailable()).each(['AES-GCM', 'AES-KEY-WRAP-PAD'])(
  'PKCS#11 with %s against a real SoftHSM2 token',
  (mechanism) => {
    keystoreContract(`the PKCS#11 keystore (${mechanism})`, async () => {
      const tokenLabel = `openkcm-${mechanism.toLowerCase()}`.slice(0, 32);
      const token = await initialiseToken(tokenLabel, '246810');
      const configuration = { library: SOFTHSM_LIBRARY, tokenLabel, pinFile: token.pinFile, mechanism };
      const plugin = await keystore(configuration);
      await plugin.createKey({ keyReference: 'acme-root' });
      return {
        plugin,
        existingKey: { keyReference: 'acme-root' },
        missingKey: { keyReference: 'no-such-key' },
        scratchKey: { keyReference: 'scratch key' },
        invalidAccessData: { address: 'https://example.com' },
        withBadCredentials: () => keystore({ ...configuration, pinFile: token.wrongPinFile }),
        unreachable: () => keystore({ ...configuration, library: '/nonexistent/libpkcs11.so' }),
        async cleanup() {
          await plugin.close();
          await token.remove();
        },
      };
    });
  },
);

describe.runIf(softHsmAvailable())('PKCS#11 session recovery', () => {
  it('re-opens the token after the library was finalised under it, and the call succeeds', async () => {
    const token = await initialiseToken('openkcm-recovery', '135790');
    const configuration = {
      library: SOFTHSM_LIBRARY,
      tokenLabel: 'openkcm-recovery',
      pinFile: token.pinFile,
    };
    const plugin = await keystore(configuration);
    try {
      await plugin.createKey({ keyReference: 'root' });
      const wrapped = await plugin.wrapKey({ keyReference: 'root' }, Buffer.alloc(32, 7), Buffer.from('ctx'));
      // Another user of the same library in this process shuts it down: every session is gone.
      const other = await keystore(configuration);
      await other.getKey({ keyReference: 'root' });
      await other.close();
      const unwrapped = await plugin.unwrapKey(
        { keyReference: 'root' },
        wrapped.ciphertext,
        Buffer.from('ctx'),
      );
      expect(Buffer.from(unwrapped).equals(Buffer.alloc(32, 7))).toBe(true);
      expect((await plugin.health()).status).toBe('healthy');
    } finally {
      await plugin.close();
      await token.remove();
    }
  });
});

describe.runIf(softHsmAvailable())('PKCS#11 Account access data (spec.thalesHSM)', () => {
  it('takes the token and slot the Account names only when they are the ones this CMK serves', async () => {
    const token = await initialiseToken('openkcm-access', '112233');
    const plugin = await keystore({
      library: SOFTHSM_LIBRARY,
      tokenLabel: 'openkcm-access',
      pinFile: token.pinFile,
    });
    try {
      await plugin.validateKeyAccessData({ tokenLabel: 'openkcm-access' });
      await expect(plugin.validateKeyAccessData({ tokenLabel: 'another-partition' })).rejects.toThrow(
        /tokenLabel: this CMK serves token "openkcm-access"/,
      );
      await expect(plugin.validateKeyAccessData({ slotID: 0 })).rejects.toThrow(/tokenLabel/);
      const wrongSlot = await plugin
        .validateKeyAccessData({ tokenLabel: 'openkcm-access', slotID: 2 ** 40 })
        .then(
          () => '',
          (error: Error) => error.message,
        );
      const actualSlot = Number(/is in slot (\d+)/.exec(wrongSlot)?.[1]);
      expect(Number.isInteger(actualSlot)).toBe(true);
      await plugin.validateKeyAccessData({ tokenLabel: 'openkcm-access', slotID: actualSlot });
    } finally {
      await plugin.close();
      await token.remove();
    }
  });
});

describe.runIf(softHsmAvailable())('PKCS#11 session pool', () => {
  it.each(['AES-GCM', 'AES-KEY-WRAP-PAD'])(
    'runs many %s operations at once, each on a session of its own, and every result is right',
    async (mechanism) => {
      const token = await initialiseToken('openkcm-pool', '778899');
      const plugin = await keystore({
        library: SOFTHSM_LIBRARY,
        tokenLabel: 'openkcm-pool',
        pinFile: token.pinFile,
        mechanism,
        sessions: 3,
      });
      try {
        await plugin.createKey({ keyReference: 'pool-root' });
        const key = { keyReference: 'pool-root' };
        // On one shared session these would collide (an encryption already in progress).
        const materials = Array.from({ length: 24 }, (_, index) => Buffer.alloc(32, index));
        const wrapped = await Promise.all(
          materials.map((material, index) => plugin.wrapKey(key, material, Buffer.from(`ctx-${index}`))),
        );
        const unwrapped = await Promise.all(
          wrapped.map((item, index) => plugin.unwrapKey(key, item.ciphertext, Buffer.from(`ctx-${index}`))),
        );
        unwrapped.forEach((material, index) => {
          expect(Buffer.from(material).equals(materials[index] ?? Buffer.alloc(0))).toBe(true);
        });
      } finally {
        await plugin.close();
        await token.remove();
      }
    },
  );
});
