/**
 * The Key Chain's texts that depend on a number, one bundle per locale: plural forms are chosen by
 * the host's locale with Intl.PluralRules, so "1 key" and "2 keys" (and other languages' forms) come
 * out right. A locale without a bundle falls back to English.
 */
type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const en = {
  keys: { one: '{count} key', other: '{count} keys' },
  l3Keys: { one: '{count} L3 key', other: '{count} L3 keys' },
  serviceKeys: { one: '{count} service key', other: '{count} service keys' },
  accounts: { one: '{count} Account', other: '{count} Accounts' },
  activeAccounts: { one: '{count} active Account', other: '{count} active Accounts' },
  plugins: { one: '{count} keystore plugin', other: '{count} keystore plugins' },
  rootKeys: { one: '{count} root key checked', other: '{count} root keys checked' },
  overdueKeys: { one: '{count} key overdue for rotation', other: '{count} keys overdue for rotation' },
  versions: { one: '{count} version', other: '{count} versions' },
  entries: { one: '{count} entry', other: '{count} entries' },
  needAttention: { one: '{count} needs attention', other: '{count} need attention' },
  notReady: { one: '{count} not ready', other: '{count} not ready' },
  pendingLong: { one: '{count} pending', other: '{count} pending' },
  disabled: { one: '{count} disabled', other: '{count} disabled' },
  pendingDeletion: { one: '{count} pending deletion', other: '{count} pending deletion' },
  workloads: { one: '{count} workload', other: '{count} workloads' },
} satisfies Record<string, PluralForms>;

export type CountMessage = keyof typeof en;

const de: Record<CountMessage, PluralForms> = {
  keys: { one: '{count} Schlüssel', other: '{count} Schlüssel' },
  l3Keys: { one: '{count} L3-Schlüssel', other: '{count} L3-Schlüssel' },
  serviceKeys: { one: '{count} Dienstschlüssel', other: '{count} Dienstschlüssel' },
  accounts: { one: '{count} Account', other: '{count} Accounts' },
  activeAccounts: { one: '{count} aktiver Account', other: '{count} aktive Accounts' },
  plugins: { one: '{count} Keystore-Plugin', other: '{count} Keystore-Plugins' },
  rootKeys: { one: '{count} Root-Schlüssel geprüft', other: '{count} Root-Schlüssel geprüft' },
  overdueKeys: {
    one: '{count} Schlüssel mit überfälliger Rotation',
    other: '{count} Schlüssel mit überfälliger Rotation',
  },
  versions: { one: '{count} Version', other: '{count} Versionen' },
  entries: { one: '{count} Eintrag', other: '{count} Einträge' },
  needAttention: { one: '{count} braucht Aufmerksamkeit', other: '{count} brauchen Aufmerksamkeit' },
  notReady: { one: '{count} nicht bereit', other: '{count} nicht bereit' },
  pendingLong: { one: '{count} ausstehend', other: '{count} ausstehend' },
  disabled: { one: '{count} deaktiviert', other: '{count} deaktiviert' },
  pendingDeletion: { one: '{count} zur Löschung vorgemerkt', other: '{count} zur Löschung vorgemerkt' },
  workloads: { one: '{count} Workload', other: '{count} Workloads' },
};

const BUNDLES: Record<string, Record<CountMessage, PluralForms>> = { en, de };

/** "3 keys" in the host's locale: the number formatted and the plural form its language needs. */
export function countText(locale: string, message: CountMessage, count: number): string {
  const language = locale.split('-')[0] ?? 'en';
  const bundled = language in BUNDLES;
  const forms: PluralForms = (BUNDLES[language] ?? en)[message];
  // The plural rules are those of the bundle's language: French says "0 compte", English "0 Accounts".
  const form = forms[new Intl.PluralRules(bundled ? locale : 'en').select(count)] ?? forms.other;
  return form.replace('{count}', new Intl.NumberFormat(locale).format(count));
}
