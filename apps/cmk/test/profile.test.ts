import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '@openkcm/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginHost } from '../src/plugins/plugin-host.js';
import { readProfile } from '../src/plugins/profile.js';
import { CONFIG } from './support.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir('openkcm-profile-');
});
afterAll(async () => {
  await dir.remove();
});

async function problemWith(yaml: string, profile = 'p'): Promise<string> {
  const file = join(dir.path, 'config.yaml');
  await writeFile(file, yaml);
  try {
    await PluginHost.load(file, profile, {
      OPENKCM_DATA_DIR: dir.path,
      OIDC_ISSUER: 'http://127.0.0.1:9/realms/x',
    });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

const keystore = `      - plugin: keystore-local
        default: true
        configuration: { directory: /tmp/x, passphraseFile: /nonexistent }`;

describe('config.yaml profiles', () => {
  it('local-profile of the shipped config.yaml loads every plugin type once', async () => {
    const choices = await readProfile(CONFIG, 'local-profile', {
      OPENKCM_DATA_DIR: '/data',
      OIDC_ISSUER: 'http://issuer',
      CONTROL_PLANE_URL: 'https://kcp.example.org',
    });
    expect(choices.map((choice) => choice.type).sort()).toEqual([
      'CertificateIssuerService',
      'IdentityManagementService',
      'KeystoreProvider',
      'NotificationService',
      'SystemInformationService',
    ]);
    expect(choices.find((choice) => choice.plugin === 'keystore-local')?.configuration).toMatchObject({
      directory: '/data/cmk/keystore',
    });
  });

  it.each([
    ['an unknown profile', 'profiles:\n  other: {}\n', 'profiles.p: no such profile; defined: other'],
    [
      'no keystore',
      'profiles:\n  p:\n    keystores: []\n',
      'profiles.p.keystores: exactly one default keystore is required',
    ],
    [
      'two default keystores',
      `profiles:\n  p:\n    keystores:\n${keystore}\n${keystore}\n`,
      'exactly one keystore must be marked default: true (found 2)',
    ],
    [
      'two identity plugins',
      `profiles:\n  p:\n    keystores:\n${keystore}\n    identity: [{plugin: identity-oidc}, {plugin: identity-oidc}]\n`,
      'profiles.p.identity: at most one identity plugin is allowed (found 2)',
    ],
    [
      'a plugin of the wrong kind',
      `profiles:\n  p:\n    keystores:\n      - plugin: notification-log\n`,
      'profiles.p.keystores[0].plugin: notification-log is not a KeystoreProvider; use one of: keystore-local',
    ],
    [
      'an unknown plugin',
      `profiles:\n  p:\n    keystores:\n      - plugin: keystore-hsm9000\n`,
      'unknown plugin "keystore-hsm9000"',
    ],
    [
      'a missing environment variable',
      `profiles:\n  p:\n    keystores:\n      - plugin: keystore-local\n        configuration:\n          directory: \${NOPE}/x\n`,
      'profiles.p.keystores[0].configuration.directory: environment variable NOPE is not set',
    ],
    [
      'a bad plugin configuration',
      `profiles:\n  p:\n    keystores:\n${keystore}\n`,
      'profiles.p.keystores[0].configuration: invalid plugin configuration: passphraseFile',
    ],
    [
      'an unknown field',
      `profiles:\n  p:\n    keystores:\n${keystore}\n    alerting: {}\n`,
      'profiles.p.alerting: unknown field',
    ],
  ])('refuses %s, naming the file and the field', async (_what, yaml, expected) => {
    const message = await problemWith(yaml);
    expect(message).toContain(join(dir.path, 'config.yaml'));
    expect(message).toContain(expected);
  });
});
