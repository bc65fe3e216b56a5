import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alertmanagerAvailable, type RunningAlertmanager, startAlertmanager } from './alertmanager.js';
import { type AwsDoubles, startAwsDoubles } from './doubles/aws.js';
import { type OpenBaoDouble, startOpenBaoDouble } from './doubles/openbao.js';
import { createAesKey, initialiseToken, SOFTHSM_LIBRARY } from './softhsm.js';
import { tempDir } from './temp-dir.js';

/** The backends of CMK's apeiro-profile, each holding one L1 key, and the variables that profile reads. */
export interface ApeiroKeystores {
  /** The apeiro-profile's environment variables (config.yaml), pointing at these backends. */
  env: Record<string, string>;
  bao: OpenBaoDouble;
  aws: AwsDoubles;
  /** The real Alertmanager the profile's alerts go to, where it is installed. */
  alertmanager: RunningAlertmanager | undefined;
  /** Each provider's L1 key as an Account names it: key reference and settings (access data). */
  accounts: Record<
    'OpenBao' | 'AWS' | 'ThalesHSM',
    { keyReference: string; accessData: Record<string, unknown> }
  >;
  /** A new role_id/secret_id pair in the mounted files, as an operator rotating the Secret would. */
  issueAppRole(): Promise<void>;
  close(): Promise<void>;
}

/**
 * OpenBao (double) with Transit key `transit/keys/acme-root` and an AppRole holding the minimum
 * policy, AWS STS/KMS (doubles) with an IRSA role and a key, and a SoftHSM2 token with an AES key.
 */
export async function startApeiroKeystores(label = 'openkcm-apeiro'): Promise<ApeiroKeystores> {
  const files = await tempDir('openkcm-apeiro-');
  const roleIdFile = join(files.path, 'role-id');
  const secretIdFile = join(files.path, 'secret-id');
  const webIdentityFile = join(files.path, 'web-identity');

  const bao = await startOpenBaoDouble();
  bao.enableTransit('');
  bao.createKey('', 'transit', 'acme-root');
  bao.writePolicy('', 'openkcm', {
    'transit/keys/acme-root': ['read'],
    'transit/encrypt/acme-root': ['update'],
    'transit/decrypt/acme-root': ['update'],
  });
  const issueAppRole = async () => {
    const { roleId, secretId } = bao.addAppRole('', 'cmk', { policies: ['openkcm'] });
    await writeFile(roleIdFile, roleId);
    await writeFile(secretIdFile, secretId);
  };
  await issueAppRole();

  const aws = await startAwsDoubles();
  const alertmanager = alertmanagerAvailable() ? await startAlertmanager() : undefined;
  await writeFile(webIdentityFile, `${label}-web-identity`);
  const roleArn = aws.addRole('openkcm-cmk', { webIdentityToken: `${label}-web-identity` });
  const awsKey = aws.createKey('eu-central-1');

  // PKCS#11 token labels hold at most 32 bytes.
  const tokenLabel = label.slice(0, 32);
  const token = await initialiseToken(tokenLabel, '424242');
  await createAesKey(tokenLabel, token.pin, 'acme-hsm-root');

  return {
    env: {
      BAO_ADDR: bao.address,
      BAO_CACERT: bao.caFile,
      BAO_TLS_SERVER_NAME: bao.serverName,
      BAO_ROLE_ID_FILE: roleIdFile,
      BAO_SECRET_ID_FILE: secretIdFile,
      AWS_ROLE_ARN: roleArn,
      AWS_WEB_IDENTITY_TOKEN_FILE: webIdentityFile,
      OPENKCM_AWS_KMS_ENDPOINT: aws.kmsEndpoint,
      OPENKCM_AWS_STS_ENDPOINT: aws.stsEndpoint,
      PKCS11_LIBRARY: SOFTHSM_LIBRARY,
      PKCS11_TOKEN_LABEL: tokenLabel,
      PKCS11_PIN_FILE: token.pinFile,
      // Without an Alertmanager here, alerts go nowhere and the plugin says so in its health.
      ALERTMANAGER_URL: alertmanager?.url ?? 'http://127.0.0.1:9',
    },
    bao,
    aws,
    alertmanager,
    accounts: {
      OpenBao: {
        keyReference: 'transit/keys/acme-root',
        accessData: { address: bao.address },
      },
      AWS: { keyReference: awsKey, accessData: {} },
      ThalesHSM: {
        keyReference: 'acme-hsm-root',
        accessData: { tokenLabel },
      },
    },
    issueAppRole,
    async close() {
      await bao.close();
      await aws.close();
      await alertmanager?.stop();
      await token.remove();
      await files.remove();
    },
  };
}
