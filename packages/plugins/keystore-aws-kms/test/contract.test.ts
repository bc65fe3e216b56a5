import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keystoreContract } from '@openkcm/plugin-sdk/testing';
import { AWS_ACCOUNT } from '@openkcm/testkit';
import { awsFixture, REGION } from './aws-fixture.js';

keystoreContract('the AWS KMS keystore (IRSA)', async () => {
  const fixture = await awsFixture();
  const existing = fixture.aws.createKey(REGION);
  return {
    plugin: await fixture.keystore(),
    existingKey: { keyReference: existing },
    missingKey: {
      keyReference: `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:key/00000000-0000-4000-8000-000000000000`,
    },
    scratchKey: { keyReference: `arn:aws:kms:${REGION}:${AWS_ACCOUNT}:alias/openkcm-contract-scratch` },
    invalidAccessData: { credentialsSecretRef: { name: 'aws-keys', key: 'secretAccessKey' } },
    async withBadCredentials() {
      const otherToken = join(fixture.tokenFile, '..', 'other-token');
      await writeFile(otherToken, 'eyJhbGciOiJSUzI1NiJ9.some-other-workload');
      return fixture.keystore({ webIdentityTokenFile: otherToken });
    },
    unreachable: () =>
      fixture.keystore({ endpoints: { kms: 'http://127.0.0.1:1', sts: 'http://127.0.0.1:1' } }),
    cleanup: () => fixture.close(),
  };
});
