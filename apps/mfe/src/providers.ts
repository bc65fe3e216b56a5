import {
  AccountSpec,
  accountRegionProblem,
  hasRegions,
  KEY_REFERENCE_FORMATS,
  PLANNED_PROVIDER_TYPES,
  type PlannedProviderType,
  PROVIDER_SETTINGS,
  PROVIDER_TYPES,
  type ProviderType,
} from '@openkcm/api';
import { AccountBody } from '@openkcm/bff-api';
import { type JsonSchema, validate } from '@openkcm/schema';

/** How the console names each provider (FR-201's dropdown). */
export const PROVIDER_LABELS: Record<ProviderType | PlannedProviderType, string> = {
  AWS: 'AWS KMS',
  AzureKeyVault: 'Azure Key Vault',
  GCP: 'GCP Cloud KMS',
  ThalesHSM: 'Thales HSM (PKCS#11)',
  OpenBao: 'OpenBao Transit',
  Local: 'Local keystore (development only)',
};

/** Regions offered per provider; any region matching the schema may be typed. */
export const REGION_SUGGESTIONS: Partial<Record<string, string[]>> = {
  AWS: ['eu-central-1', 'eu-west-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'],
};

export {
  hasRegions,
  KEY_REFERENCE_FORMATS,
  PLANNED_PROVIDER_TYPES,
  type PlannedProviderType,
  PROVIDER_TYPES,
  type ProviderType,
};

/** FR-201's dropdown: the providers that can be used, then those still to come. */
export const OFFERED_PROVIDERS = [...PROVIDER_TYPES, ...PLANNED_PROVIDER_TYPES];

export function isPlanned(provider: string): provider is PlannedProviderType {
  return (PLANNED_PROVIDER_TYPES as readonly string[]).includes(provider);
}

/**
 * Problems with the fields typed so far, by field, from the same schemas the BFF and the
 * control plane enforce: the CRD's Account spec (per-provider key reference) and the BFF's body.
 */
export function accountProblems(draft: {
  name: string;
  providerType: string;
  region: string;
  keyReference: string;
}): Partial<Record<'name' | 'region' | 'keyReference', string>> {
  const spec = {
    providerType: draft.providerType,
    keyReference: draft.keyReference,
    ...(draft.region ? { region: draft.region } : {}),
  };
  const problems: Partial<Record<'name' | 'region' | 'keyReference', string>> = {};
  for (const cause of validate(AccountSpec, spec, { applyDefaults: false }).causes) {
    if (cause.field === 'spec.keyReference' || cause.field === 'keyReference') {
      const format = KEY_REFERENCE_FORMATS[draft.providerType as ProviderType];
      problems.keyReference = format
        ? `Enter a ${format.description}, e.g. ${format.example}`
        : cause.message;
    }
    if (cause.field.endsWith('region'))
      problems.region = `Enter a region such as eu-central-1 (${cause.message})`;
  }
  // A provider without regions refuses the region; an AWS key of another region is the key's problem.
  const regionProblem = problems.region ? undefined : accountRegionProblem(spec);
  if (regionProblem) {
    if (hasRegions(draft.providerType)) problems.keyReference ??= regionProblem;
    else problems.region = regionProblem;
  }
  if (!draft.keyReference) problems.keyReference = 'Enter the key reference';
  for (const cause of validate(AccountBody, { ...spec, name: draft.name }, { applyDefaults: false }).causes) {
    if (cause.field.endsWith('name'))
      problems.name =
        'Use lower-case letters, digits and "-", starting and ending with a letter or digit (at most 63)';
  }
  if (!draft.name) problems.name = 'Enter a name, e.g. aws-root-production';
  return problems;
}

/** Whether a key reference fits a provider, for the re-key dialog. */
export function keyReferenceProblem(providerType: string, keyReference: string): string | undefined {
  return accountProblems({ name: 'x', providerType, region: '', keyReference }).keyReference;
}

/** The settings form of a provider (OpenBao, AWS, Thales), from the Account CRD's own schema. */
export function settingsOf(providerType: string): { field: string; schema: JsonSchema } | undefined {
  const entry = PROVIDER_SETTINGS[providerType as keyof typeof PROVIDER_SETTINGS];
  return entry ? { field: entry.field, schema: entry.schema as unknown as JsonSchema } : undefined;
}

function schemaAt(schema: JsonSchema, path: string): JsonSchema | undefined {
  return path
    .split('.')
    .reduce<JsonSchema | undefined>((current, part) => current?.properties?.[part], schema);
}

function requiredLeaves(schema: JsonSchema, path: string): string[] {
  return (schema.required ?? []).flatMap((name) => {
    const child = schema.properties?.[name];
    return child?.type === 'object' ? requiredLeaves(child, `${path}.${name}`) : [`${path}.${name}`];
  });
}

/**
 * Problems with a provider's settings, by field path, from the same schema the control plane
 * enforces. A missing group marks its required fields; a union's own error is left to them.
 */
export function settingsProblems(
  providerType: string,
  settings: Record<string, unknown>,
): Record<string, string> {
  const form = settingsOf(providerType);
  if (!form) return {};
  const problems: Record<string, string> = {};
  for (const cause of validate(form.schema, settings, { applyDefaults: true }).causes) {
    const target = schemaAt(form.schema, cause.field);
    if (cause.reason === 'FieldValueRequired') {
      const fields = target?.type === 'object' ? requiredLeaves(target, cause.field) : [cause.field];
      for (const field of fields) problems[field] ??= 'Required';
    } else if (target && target.type !== 'object') {
      problems[cause.field] ??= target.description ? `Expected: ${target.description}` : cause.message;
    }
  }
  return problems;
}
