import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AwsDoubles, type KmsAction, startAwsDoubles, tempDir } from '@openkcm/testkit';
import { AwsKmsKeystore } from '../src/index.js';

export const REGION = 'eu-central-1';
/** What kubelet projects into the pod for IRSA. */
export const WEB_IDENTITY_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.irsa.openkcm-cmk';

export interface AwsFixture {
  aws: AwsDoubles;
  tokenFile: string;
  roleArn: string;
  configuration: Record<string, unknown>;
  /** A role with only these KMS actions, trusted by the same web identity. */
  role(name: string, actions: KmsAction[]): string;
  keystore(configuration?: Record<string, unknown>): Promise<AwsKmsKeystore>;
  close(): Promise<void>;
}

export async function awsFixture(): Promise<AwsFixture> {
  const aws = await startAwsDoubles();
  const dir = await tempDir('aws-kms-plugin-');
  const tokenFile = join(dir.path, 'token');
  await writeFile(tokenFile, WEB_IDENTITY_TOKEN);
  const roleArn = aws.addRole('openkcm-cmk', { webIdentityToken: WEB_IDENTITY_TOKEN });
  const configuration = {
    roleArn,
    webIdentityTokenFile: tokenFile,
    region: REGION,
    endpoints: { kms: aws.kmsEndpoint, sts: aws.stsEndpoint },
    maxAttempts: 1,
    requestTimeoutMs: 2000,
  };
  const keystores: AwsKmsKeystore[] = [];
  return {
    aws,
    tokenFile,
    roleArn,
    configuration,
    role: (name, actions) => aws.addRole(name, { webIdentityToken: WEB_IDENTITY_TOKEN, actions }),
    async keystore(overrides = {}) {
      const plugin = new AwsKmsKeystore();
      await plugin.configure({ ...configuration, ...overrides });
      keystores.push(plugin);
      return plugin;
    },
    async close() {
      await Promise.all(keystores.map((plugin) => plugin.close()));
      await aws.close();
      await dir.remove();
    },
  };
}
