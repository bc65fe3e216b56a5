import { readFile } from 'node:fs/promises';
import type { PluginType } from '@openkcm/plugin-sdk';
import { isPlainObject } from '@openkcm/schema';
import { parse as parseYaml } from 'yaml';
import { PLUGIN_CATALOG } from './catalog.js';

export interface PluginChoice {
  field: string;
  plugin: string;
  type: PluginType;
  configuration: unknown;
  isDefault: boolean;
}

/** A config.yaml problem that stops the start: it names the file, the field and what is allowed. */
export class ConfigurationError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'ConfigurationError';
  }
}

const SINGLE_SLOTS: Array<{ key: string; type: PluginType; label: string }> = [
  { key: 'identity', type: 'IdentityManagementService', label: 'identity' },
  { key: 'certificateIssuer', type: 'CertificateIssuerService', label: 'certificate issuer' },
  { key: 'systemInformation', type: 'SystemInformationService', label: 'system information' },
  { key: 'notification', type: 'NotificationService', label: 'notification' },
];
const PROFILE_KEYS = new Set(['keystores', ...SINGLE_SLOTS.map((slot) => slot.key)]);

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string, naming the field when a variable is
 * missing. A field whose value expands to nothing (`${NAME:-}` with NAME unset) is left out, so
 * optional settings can come from the environment.
 */
function substitute(
  value: unknown,
  field: string,
  env: NodeJS.ProcessEnv,
  fail: (field: string, problem: string) => never,
): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?\}/g,
      (_match, name: string, _fallback, fallback: string | undefined) => {
        const found = env[name];
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        return fail(
          field,
          `environment variable ${name} is not set; set it or give a default with \${${name}:-value}`,
        );
      },
    );
  }
  if (Array.isArray(value))
    return value.map((item, index) => substitute(item, `${field}[${index}]`, env, fail));
  if (isPlainObject(value))
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [key, substitute(item, `${field}.${key}`, env, fail)] as const)
        .filter(([key, item]) => !(item === '' && String(value[key]).includes('${'))),
    );
  return value;
}

function choice(
  entry: unknown,
  field: string,
  expected: PluginType,
  fail: (field: string, problem: string) => never,
): PluginChoice {
  if (!isPlainObject(entry)) fail(field, 'must be an object with "plugin" and "configuration"');
  const unknownKeys = Object.keys(entry).filter(
    (key) => !['plugin', 'configuration', 'default'].includes(key),
  );
  if (unknownKeys.length > 0)
    fail(`${field}.${unknownKeys[0]}`, 'unknown field; allowed: plugin, configuration, default');
  const name = entry.plugin;
  const matching = Object.entries(PLUGIN_CATALOG)
    .filter(([, item]) => item.type === expected)
    .map(([key]) => key);
  if (typeof name !== 'string' || !PLUGIN_CATALOG[name]) {
    fail(
      `${field}.plugin`,
      `unknown plugin ${JSON.stringify(name)}; plugins of this kind: ${matching.join(', ')}`,
    );
  }
  if (PLUGIN_CATALOG[name]?.type !== expected)
    fail(`${field}.plugin`, `${name} is not a ${expected}; use one of: ${matching.join(', ')}`);
  if (entry.default !== undefined && typeof entry.default !== 'boolean')
    fail(`${field}.default`, 'must be true or false');
  return {
    field,
    plugin: name,
    type: expected,
    configuration: entry.configuration ?? {},
    isDefault: entry.default === true,
  };
}

/** Reads config.yaml and picks the profile's plugins, checking the profile's constraints. */
export async function readProfile(
  file: string,
  profileName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PluginChoice[]> {
  const fail: (field: string, problem: string) => never = (field, problem) => {
    throw new ConfigurationError(file, field, problem);
  };
  let document: unknown;
  try {
    document = parseYaml(await readFile(file, 'utf8'));
  } catch (error) {
    fail('(file)', `cannot be read as YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const profiles = isPlainObject(document) ? document.profiles : undefined;
  if (!isPlainObject(profiles)) fail('profiles', 'must map profile names to their plugins');
  const profile = profiles[profileName];
  if (!isPlainObject(profile))
    fail(`profiles.${profileName}`, `no such profile; defined: ${Object.keys(profiles).join(', ')}`);
  const base = `profiles.${profileName}`;
  const resolved = substitute(profile, base, env, fail) as Record<string, unknown>;
  for (const key of Object.keys(resolved))
    if (!PROFILE_KEYS.has(key))
      fail(`${base}.${key}`, `unknown field; allowed: ${[...PROFILE_KEYS].join(', ')}`);

  const keystores = resolved.keystores;
  if (!Array.isArray(keystores) || keystores.length === 0)
    fail(`${base}.keystores`, 'exactly one default keystore is required: list at least one keystore plugin');
  const chosen = keystores.map((entry, index) =>
    choice(entry, `${base}.keystores[${index}]`, 'KeystoreProvider', fail),
  );
  const defaults = chosen.filter((item) => item.isDefault);
  if (chosen.length === 1 && defaults.length === 0 && chosen[0]) chosen[0].isDefault = true;
  else if (defaults.length !== 1)
    fail(`${base}.keystores`, `exactly one keystore must be marked default: true (found ${defaults.length})`);

  for (const slot of SINGLE_SLOTS) {
    const entry = resolved[slot.key];
    if (entry === undefined || entry === null) continue;
    if (Array.isArray(entry))
      fail(`${base}.${slot.key}`, `at most one ${slot.label} plugin is allowed (found ${entry.length})`);
    chosen.push(choice(entry, `${base}.${slot.key}`, slot.type, fail));
  }
  return chosen;
}
