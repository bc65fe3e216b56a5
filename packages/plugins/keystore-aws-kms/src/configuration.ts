import { AwsSettings, KEY_REFERENCE_FORMATS } from '@openkcm/api';
import { parseAccessData, parseConfiguration, pluginErrors } from '@openkcm/plugin-sdk';
import { type Static, Type } from '@openkcm/schema';

const ROLE_ARN = '^arn:aws[-a-z]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$';
/** https anywhere (VPC endpoints); plain http only to loopback, where the tests' doubles listen. */
const ENDPOINT = '^(https://[^\\s/?#]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\]))(:[0-9]+)?/?$';

/**
 * The operator's configuration of the AWS KMS keystore. There is deliberately no field for static
 * access keys: CMK authenticates only with its workload's web identity (IRSA).
 */
export const AwsKmsKeystoreConfiguration = Type.Object({
  roleArn: Type.String({
    pattern: ROLE_ARN,
    description: 'Role CMK assumes with its web identity (IRSA sets AWS_ROLE_ARN).',
  }),
  webIdentityTokenFile: Type.String({
    minLength: 1,
    description:
      'Projected service-account token (IRSA sets AWS_WEB_IDENTITY_TOKEN_FILE); read at every refresh.',
  }),
  roleSessionName: Type.String({ pattern: '^[\\w+=,.@-]{2,64}$', default: 'openkcm-cmk' }),
  /** Region of the STS endpoint; keys are called in the region their ARN names. */
  region: Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$', default: 'us-east-1' }),
  endpoints: Type.Optional(
    Type.Object({
      kms: Type.Optional(
        Type.String({ pattern: ENDPOINT, description: 'KMS endpoint (e.g. a VPC endpoint).' }),
      ),
      sts: Type.Optional(
        Type.String({ pattern: ENDPOINT, description: 'STS endpoint (e.g. a VPC endpoint).' }),
      ),
    }),
  ),
  requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
});
export type AwsKmsKeystoreConfiguration = Static<typeof AwsKmsKeystoreConfiguration>;

export function parseAwsKmsConfiguration(configuration: unknown): AwsKmsKeystoreConfiguration {
  return parseConfiguration(AwsKmsKeystoreConfiguration, configuration);
}

const KEY_ARN = new RegExp(KEY_REFERENCE_FORMATS.AWS.pattern);
const ALIAS_ARN = /^arn:aws[-a-z]*:kms:([a-z]{2}(-[a-z]+)+-[0-9]):[0-9]{12}:alias\/[a-zA-Z0-9/_-]{1,250}$/;

/** The region a key (or, for createKey, an alias) ARN names. */
export function keyRegion(reference: string, options: { alias?: boolean } = {}): string {
  const alias = options.alias ? ALIAS_ARN.exec(reference) : null;
  if (alias) return alias[1] ?? '';
  if (!KEY_ARN.test(reference))
    throw pluginErrors.invalidKeyAccessData(
      `"${reference}" is not a KMS key ARN (e.g. ${KEY_REFERENCE_FORMATS.AWS.example})${options.alias ? ' or alias ARN' : ''}`,
    );
  return reference.split(':')[3] ?? '';
}

/** The role an Account's calls run as: its spec.aws.roleArn (assumed with the same web identity), else CMK's. */
export function accessRole(
  accessData: Record<string, unknown> | undefined,
  configuration: AwsKmsKeystoreConfiguration,
): string {
  if (!accessData || Object.keys(accessData).length === 0) return configuration.roleArn;
  const static_ = ['credentialsSecretRef', 'accessKeyId', 'secretAccessKey'].find(
    (field) => field in accessData,
  );
  if (static_)
    throw pluginErrors.invalidKeyAccessData(
      `${static_}: static AWS credentials are not accepted; CMK authenticates only with its web identity (IRSA). Set aws.roleArn to a role whose trust policy allows the CMK service account`,
    );
  return parseAccessData(AwsSettings, accessData).roleArn ?? configuration.roleArn;
}
