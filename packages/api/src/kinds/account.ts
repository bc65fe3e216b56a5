import { type Static, Type } from '@sinclair/typebox';
import { Conditions, ObservedGeneration } from '../common.js';
import { DNS1123_LABEL, REGION, StringEnum, Timestamp } from '../schema-helpers.js';
import { AGE_COLUMN, type KindDefinition, READY_COLUMN } from './kind-definition.js';

/** The providers a keystore plugin serves: the only ones the CRD accepts. */
export const PROVIDER_TYPES = ['AWS', 'OpenBao', 'ThalesHSM', 'Local'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
/**
 * FR-201 also offers these; they have no keystore plugin yet, so the console shows them as not
 * available and the CRD refuses them (its enum names the providers that are).
 */
export const PLANNED_PROVIDER_TYPES = ['AzureKeyVault', 'GCP'] as const;
export type PlannedProviderType = (typeof PLANNED_PROVIDER_TYPES)[number];

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SEGMENT = '[a-z0-9]([a-z0-9_-]*[a-z0-9])?';

/** The key reference each provider uses for its keys, in the provider's own format. */
export const KEY_REFERENCE_FORMATS: Record<
  ProviderType,
  { pattern: string; example: string; description: string }
> = {
  AWS: {
    pattern: `^arn:aws[-a-z]*:kms:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:key/(${UUID}|mrk-[0-9a-f]{32})$`,
    example: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    description: 'KMS key ARN',
  },
  OpenBao: {
    // The key name as OpenBao's own route pattern accepts it (framework.GenericNameRegex: \w([\w-.@]*\w)?).
    pattern: `^${SEGMENT}(/${SEGMENT})*/keys/[A-Za-z0-9_]([A-Za-z0-9_.@-]*[A-Za-z0-9_])?$`,
    example: 'transit/keys/acme-root',
    description: 'Transit key path <mount>/keys/<name>',
  },
  ThalesHSM: {
    pattern: '^[\\x21-\\x7E]([\\x20-\\x7E]{0,62}[\\x21-\\x7E])?$',
    example: 'acme-root-key',
    description: 'PKCS#11 key label (printable, 1-64 characters)',
  },
  Local: {
    pattern: DNS1123_LABEL,
    example: 'acme-root',
    description: 'label of a key in the local development keystore',
  },
};

/** Which settings block belongs to which provider; a spec may carry only its own. */
const SETTINGS_FIELD: Partial<Record<ProviderType, 'aws' | 'openBao' | 'thalesHSM'>> = {
  AWS: 'aws',
  OpenBao: 'openBao',
  ThalesHSM: 'thalesHSM',
};
const SETTINGS_FIELDS = ['aws', 'openBao', 'thalesHSM'] as const;

/** Providers whose keys live in a region, and the region a key reference names. */
const KEY_REGIONS: Partial<Record<ProviderType, (keyReference: string) => string | undefined>> = {
  AWS: (arn) => /^arn:aws[-a-z]*:kms:([a-z0-9-]+):/.exec(arn)?.[1],
};

/**
 * What `spec.region` means: the region of the L1 key, which is where CMK calls the keystore. For
 * AWS that is the key ARN's region, so the two must agree; the other providers have no regions and
 * an Account of theirs may not claim one. One rule for the wizard, the BFF and the controller.
 */
export function accountRegionProblem(spec: {
  providerType: string;
  keyReference: string;
  region?: string | undefined;
}): string | undefined {
  if (!spec.region) return undefined;
  const regionOf = KEY_REGIONS[spec.providerType as ProviderType];
  if (!regionOf)
    return `${spec.providerType} keys have no region; remove spec.region (it is the region of an AWS KMS key)`;
  const keyRegion = regionOf(spec.keyReference);
  if (keyRegion && keyRegion !== spec.region)
    return `spec.region ${spec.region} is not the region of the key (${keyRegion} in ${spec.keyReference}); CMK calls the keystore in the key's region, so set spec.region to ${keyRegion} or name a key of ${spec.region}`;
  return undefined;
}

/** Whether an Account of this provider may name a region (the console asks only then). */
export const hasRegions = (providerType: string) => KEY_REGIONS[providerType as ProviderType] !== undefined;

/** The provider-specific settings of an Account (what CMK receives as the L1 key's access data). */
/** The spec fields that give an Account these provider settings back (restoring a deleted Account). */
export function settingsSpec(
  providerType: string,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const field = SETTINGS_FIELD[providerType as ProviderType];
  return field && Object.keys(settings).length > 0 ? { [field]: settings } : {};
}

export function providerSettings(spec: {
  providerType: string;
  aws?: unknown;
  openBao?: unknown;
  thalesHSM?: unknown;
}): Record<string, unknown> | undefined {
  const field = SETTINGS_FIELD[spec.providerType as ProviderType];
  const settings = field ? spec[field] : undefined;
  return settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : undefined;
}

export const AwsSettings = Type.Object(
  {
    roleArn: Type.Optional(
      Type.String({
        pattern: '^arn:aws[-a-z]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$',
        maxLength: 2048,
        title: 'IAM role ARN (optional)',
        description:
          "Role CMK assumes for this Account with its workload identity (IRSA); its trust policy must allow CMK's service account. Empty: CMK's own role.",
      }),
    ),
  },
  { description: 'AWS KMS settings. There are no static credentials: CMK uses its web identity (IRSA).' },
);

export const OpenBaoSettings = Type.Object(
  {
    address: Type.String({
      pattern: '^https://[^\\s/?#]+(:[0-9]+)?(/[^\\s?#]*)?$',
      maxLength: 512,
      title: 'OpenBao address',
      description: 'HTTPS address of the OpenBao server, e.g. https://openbao.example.com:8200.',
    }),
    namespace: Type.Optional(
      Type.String({
        maxLength: 256,
        pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/?$',
        title: 'Namespace (optional)',
        description: 'OpenBao namespace of the key, e.g. tenants/acme.',
      }),
    ),
  },
  {
    description:
      'OpenBao Transit settings. CMK uses the OpenBao server, login and CA its operator configured; an Account names that server and may choose a namespace at or below the configured one.',
  },
);

export const ThalesSettings = Type.Object(
  {
    tokenLabel: Type.String({
      minLength: 1,
      maxLength: 32,
      title: 'Token label',
      description: 'Label of the PKCS#11 token (partition) holding the key.',
    }),
    slotID: Type.Optional(
      Type.Integer({
        minimum: 0,
        title: 'Slot ID (optional)',
        description: 'Slot, when the token label is ambiguous.',
      }),
    ),
  },
  {
    description:
      'Thales HSM (PKCS#11) settings. CMK logs in to the token its operator configured, with the PIN from its own mounted file; an Account names that token.',
  },
);

/** The settings block each provider takes, with its schema: the console builds its form from it. */
export const PROVIDER_SETTINGS = {
  AWS: { field: 'aws', schema: AwsSettings },
  OpenBao: { field: 'openBao', schema: OpenBaoSettings },
  ThalesHSM: { field: 'thalesHSM', schema: ThalesSettings },
} as const satisfies Partial<
  Record<ProviderType, { field: (typeof SETTINGS_FIELDS)[number]; schema: unknown }>
>;

/** One branch per provider: pins providerType, constrains keyReference, and forbids the other providers' settings. */
const providerRules = PROVIDER_TYPES.map((provider) => {
  const own = SETTINGS_FIELD[provider];
  const others = SETTINGS_FIELDS.filter((field) => field !== own);
  return {
    properties: {
      providerType: { enum: [provider] },
      keyReference: { pattern: KEY_REFERENCE_FORMATS[provider].pattern },
    },
    ...(provider === 'OpenBao' || provider === 'ThalesHSM' ? { required: [own] } : {}),
    not: { anyOf: others.map((field) => ({ required: [field] })) },
  };
});

export const AccountSpec = Type.Object(
  {
    providerType: StringEnum(PROVIDER_TYPES, {
      description: 'Where the L1 root key lives. Local is the development keystore.',
    }),
    keyReference: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: `The L1 key in the provider's own format: ${PROVIDER_TYPES.map((provider) => `${provider}: ${KEY_REFERENCE_FORMATS[provider].description}`).join('; ')}.`,
    }),
    region: Type.Optional(
      Type.String({
        pattern: REGION,
        maxLength: 64,
        description:
          "Region of the L1 key, e.g. eu-central-1: AWS only, and it must be the key ARN's region (CMK calls KMS there).",
      }),
    ),
    displayName: Type.Optional(Type.String({ maxLength: 256, description: 'Name shown in the console.' })),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    aws: Type.Optional(AwsSettings),
    openBao: Type.Optional(OpenBaoSettings),
    thalesHSM: Type.Optional(ThalesSettings),
  },
  { description: 'The root of trust (L2): a key wrapped by the L1 key named here.', oneOf: providerRules },
);

export const ACCOUNT_PHASES = ['Pending', 'Ready', 'NotReady', 'ReKeying', 'Deleting'] as const;

export const AccountStatus = Type.Object({
  phase: Type.Optional(StringEnum(ACCOUNT_PHASES)),
  cmkAccountID: Type.Optional(Type.String({ maxLength: 256 })),
  l1: Type.Optional(
    Type.Object(
      {
        reachable: Type.Boolean(),
        keyVersion: Type.Optional(Type.String({ maxLength: 256 })),
        lastCheckTime: Type.Optional(Timestamp('When the L1 key was last checked.')),
        message: Type.Optional(Type.String({ maxLength: 1024 })),
      },
      { description: 'What the keystore said about the L1 key at the last check.' },
    ),
  ),
  dependentKeys: Type.Optional(
    Type.Integer({ minimum: 0, description: 'ServiceEncryptionKeys wrapped by this Account.' }),
  ),
  dependents: Type.Optional(
    Type.Array(Type.String({ maxLength: 253 }), {
      maxItems: 100,
      'x-kubernetes-list-type': 'set',
      description: 'Names of the ServiceEncryptionKeys that hold this Account (first 100).',
    }),
  ),
  rekey: Type.Optional(
    Type.Object(
      {
        targetKeyReference: Type.String({ maxLength: 2048 }),
        state: StringEnum(['Pending', 'InProgress', 'Succeeded', 'Failed'] as const),
        rewrapped: Type.Integer({ minimum: 0 }),
        total: Type.Integer({ minimum: 0 }),
        startedAt: Type.Optional(Timestamp('When the re-key started.')),
        completedAt: Type.Optional(Timestamp('When the re-key ended.')),
        message: Type.Optional(Type.String({ maxLength: 1024 })),
      },
      { description: 'Progress of re-wrapping the chain under a new L1 key.' },
    ),
  ),
  observedGeneration: Type.Optional(ObservedGeneration),
  conditions: Type.Optional(Conditions),
});

export const accountKind = {
  kind: 'Account',
  plural: 'accounts',
  singular: 'account',
  shortNames: ['kca'],
  description:
    'Account is the L2 root of trust of a tenant: a key wrapped by an L1 key in an external keystore.',
  spec: AccountSpec,
  status: AccountStatus,
  printerColumns: [
    { name: 'Provider', type: 'string', jsonPath: '.spec.providerType' },
    { name: 'Key Reference', type: 'string', jsonPath: '.spec.keyReference' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Keys', type: 'integer', jsonPath: '.status.dependentKeys' },
    READY_COLUMN,
    AGE_COLUMN,
  ],
} satisfies KindDefinition;

export type AccountSpec = Static<typeof AccountSpec>;
export type AccountStatus = Static<typeof AccountStatus>;

export type OpenBaoSettings = Static<typeof OpenBaoSettings>;
export type AwsSettings = Static<typeof AwsSettings>;
export type ThalesSettings = Static<typeof ThalesSettings>;
