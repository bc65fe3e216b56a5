import { Button, FlexBox, Label, MessageStrip, Option, Select, Text, WizardStep } from '@openkcm/ui-kit';
import { useState } from 'react';
import {
  useAccounts,
  useCreateAccount,
  useEnvironment,
  useOverview,
  usePendingDeletion,
  useTestKey,
} from '../api/hooks.js';
import { useNotify } from '../components/notify.js';
import { Field } from '../components/object-parts.js';
import {
  compactValues,
  type FieldValues,
  initialValues,
  SchemaFields,
  valueAt,
} from '../components/SchemaFields.js';
import { messageOf } from '../components/states.js';
import { TextField } from '../components/TextField.js';
import { ReviewStep, WizardDialog } from '../components/WizardDialog.js';
import { formatTime } from '../format.js';
import {
  accountProblems,
  hasRegions,
  isPlanned,
  KEY_REFERENCE_FORMATS,
  OFFERED_PROVIDERS,
  type PlannedProviderType,
  PROVIDER_LABELS,
  type ProviderType,
  REGION_SUGGESTIONS,
  settingsOf,
  settingsProblems,
} from '../providers.js';

const STEPS = ['provider', 'region', 'key', 'review'] as const;
type Step = (typeof STEPS)[number];

/** FR-201/FR-403: Cloud provider → Region → Key reference, each checked as it is typed. */
export function AccountWizard({ open, onClose }: { open: boolean; onClose: () => void }) {
  const overview = useOverview();
  const create = useCreateAccount();
  const testKey = useTestKey();
  const [step, setStep] = useState<Step>('provider');
  const [draft, setDraft] = useState({
    providerType: 'Local' as ProviderType | PlannedProviderType,
    region: '',
    keyReference: '',
    name: '',
    displayName: '',
  });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [settings, setSettings] = useState<FieldValues>({});
  const [submitted, setSubmitted] = useState(false);
  const accounts = useAccounts();
  const pending = usePendingDeletion();
  const tell = useNotify();
  const { host } = useEnvironment();
  const held = pending.data?.accounts.find((account) => account.name === draft.name);
  const taken = accounts.data?.some((account) => account.metadata.name === draft.name)
    ? `An Account named "${draft.name}" already exists; choose another name`
    : held
      ? `"${draft.name}" was deleted and is in its waiting period until ${formatTime(held.deleteAfter, host.locale)}; cancel its deletion under Pending deletion to get it back, or choose another name`
      : undefined;
  const checked = accountProblems(draft);
  const problems = !checked.name && taken ? { ...checked, name: taken } : checked;
  const form = settingsOf(draft.providerType);
  const settingsValue = compactValues(settings);
  const settingsIssues = settingsProblems(draft.providerType, settingsValue);
  // A field's problem shows once it has a value, or after Create was pressed.
  const shownSettingsIssues = Object.fromEntries(
    Object.entries(settingsIssues).filter(([field]) => submitted || valueAt(settings, field) !== undefined),
  );
  // Only providers with a keystore plugin in this installation can become Ready.
  const served = new Set(
    (overview.data?.plugins ?? [])
      .filter((plugin) => plugin.type === 'KeystoreProvider')
      .map((plugin) => plugin.providerType),
  );
  const planned = isPlanned(draft.providerType);
  // A planned provider never gets past the first step; its key step shows the generic words.
  const format = isPlanned(draft.providerType)
    ? { description: 'key reference', example: '' }
    : KEY_REFERENCE_FORMATS[draft.providerType];
  const set = (field: keyof typeof draft) => (value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setTouched((current) => ({ ...current, [field]: true }));
  };
  const shown = (field: 'name' | 'region' | 'keyReference') => (touched[field] ? problems[field] : undefined);
  const close = () => {
    setStep('provider');
    setDraft({ providerType: 'Local', region: '', keyReference: '', name: '', displayName: '' });
    setTouched({});
    setSettings({});
    setSubmitted(false);
    create.reset();
    testKey.reset();
    onClose();
  };
  /** Marks every field of the key step; true when nothing is wrong. */
  const checkAll = () => {
    setTouched({ name: true, region: true, keyReference: true });
    setSubmitted(true);
    return Object.keys(problems).length === 0 && Object.keys(settingsIssues).length === 0;
  };
  const submit = async () => {
    if (!checkAll()) return;
    await create.mutateAsync({
      name: draft.name,
      providerType: draft.providerType,
      keyReference: draft.keyReference,
      ...(form ? { [form.field]: settingsValue } : {}),
      ...(draft.region ? { region: draft.region } : {}),
      ...(draft.displayName ? { displayName: draft.displayName } : {}),
    });
    tell(`Account ${draft.name} created; it is Ready once CMK has checked its root key`);
    close();
  };
  const index = STEPS.indexOf(step);
  return (
    <WizardDialog
      title="Create Account"
      width="min(48rem, 95vw)"
      open={open}
      steps={STEPS}
      step={step}
      setStep={setStep}
      canAdvance={!(step === 'provider' && planned) && !(step === 'region' && Boolean(problems.region))}
      beforeAdvance={() => step !== 'key' || checkAll()}
      finishText="Create Account"
      busy={create.isPending}
      onFinish={() => void submit().catch(() => undefined)}
      onClose={close}
    >
      <WizardStep titleText="Cloud provider" selected={step === 'provider'} data-step="provider" icon="cloud">
        <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
          <Label for="account-provider" required showColon>
            Cloud provider
          </Label>
          <Select
            id="account-provider"
            accessibleName="Cloud provider"
            onChange={(event) => {
              const value = (event.detail.selectedOption as HTMLElement & { value?: string }).value as
                | ProviderType
                | PlannedProviderType;
              setDraft((current) => ({ ...current, providerType: value, region: '' }));
              const next = settingsOf(value);
              setSettings(next ? initialValues(next.schema) : {});
            }}
          >
            {OFFERED_PROVIDERS.map((provider) => (
              <Option
                key={provider}
                value={provider}
                selected={provider === draft.providerType}
                additionalText={
                  isPlanned(provider)
                    ? 'not available yet'
                    : served.has(provider)
                      ? 'available'
                      : 'no keystore plugin'
                }
              >
                {PROVIDER_LABELS[provider]}
              </Option>
            ))}
          </Select>
          {planned && (
            <MessageStrip design="Negative" hideCloseButton data-testid="provider-planned">
              {PROVIDER_LABELS[draft.providerType]} is not available yet: OpenKCM has no keystore plugin for
              it. Choose another provider.
            </MessageStrip>
          )}
          {!planned && !served.has(draft.providerType) && (
            <MessageStrip design="Critical" hideCloseButton>
              This installation has no keystore plugin for {PROVIDER_LABELS[draft.providerType]}: the Account
              will be created but stays Not Ready until an operator enables the plugin in CMK's profile.
            </MessageStrip>
          )}
          {draft.providerType === 'Local' && (
            <MessageStrip design="Information" hideCloseButton>
              The local keystore keeps its root keys on the CMK host. Use it for development only.
            </MessageStrip>
          )}
        </FlexBox>
      </WizardStep>
      <WizardStep
        titleText="Region"
        selected={step === 'region'}
        data-step="region"
        icon="map"
        disabled={index < 1}
      >
        {!hasRegions(draft.providerType) ? (
          <Text id="account-region-none">
            {PROVIDER_LABELS[draft.providerType as ProviderType] ?? draft.providerType} keys have no region:
            CMK reaches them where its operator configured the keystore. Go on to the key.
          </Text>
        ) : (
          <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
            <TextField
              id="account-region"
              label="Region (optional)"
              value={draft.region}
              placeholder={
                REGION_SUGGESTIONS[draft.providerType]?.[0] ?? 'where the keystore runs, e.g. eu-central-1'
              }
              onChange={set('region')}
              problem={shown('region')}
            />
            {REGION_SUGGESTIONS[draft.providerType] && (
              <FlexBox wrap="Wrap" style={{ gap: '0.25rem' }}>
                {REGION_SUGGESTIONS[draft.providerType]?.map((region) => (
                  <Button
                    key={region}
                    design="Transparent"
                    onClick={() => setDraft((current) => ({ ...current, region }))}
                  >
                    {region}
                  </Button>
                ))}
              </FlexBox>
            )}
          </FlexBox>
        )}
      </WizardStep>
      <WizardStep
        titleText="Key reference"
        selected={step === 'key'}
        data-step="key"
        icon="key"
        disabled={index < 2}
      >
        <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
          <TextField
            id="account-key-reference"
            label={`${format.description.charAt(0).toUpperCase()}${format.description.slice(1)}`}
            required
            value={draft.keyReference}
            placeholder={format.example}
            onChange={(value) => {
              set('keyReference')(value);
              testKey.reset();
            }}
            problem={shown('keyReference')}
            maxLength={2048}
          />
          <FlexBox alignItems="Center" wrap="Wrap" style={{ gap: '0.5rem' }}>
            <Button
              icon="connected"
              disabled={!draft.keyReference || Boolean(problems.keyReference) || testKey.isPending}
              onClick={() =>
                testKey.mutate({
                  providerType: draft.providerType,
                  keyReference: draft.keyReference,
                  ...(form ? { [form.field]: settingsValue } : {}),
                })
              }
            >
              {testKey.isPending ? 'Testing the key…' : 'Test the key'}
            </Button>
            {testKey.data && (
              <MessageStrip
                design={testKey.data.usable ? 'Positive' : 'Negative'}
                hideCloseButton
                role="status"
                style={{ flex: 1 }}
              >
                {testKey.data.usable
                  ? 'CMK reached the key and can wrap with it.'
                  : `CMK cannot use this key: ${testKey.data.reason}`}
              </MessageStrip>
            )}
            {testKey.error && (
              <MessageStrip design="Negative" hideCloseButton role="status" style={{ flex: 1 }}>
                The key could not be tested: {messageOf(testKey.error)}
              </MessageStrip>
            )}
          </FlexBox>
          <TextField
            id="account-name"
            label="Account name"
            required
            value={draft.name}
            placeholder="aws-root-production"
            onChange={set('name')}
            problem={shown('name')}
            maxLength={63}
          />
          <TextField
            id="account-display-name"
            label="Display name (optional)"
            value={draft.displayName}
            onChange={set('displayName')}
            maxLength={256}
          />
          {form && (
            <fieldset
              aria-label={`${PROVIDER_LABELS[draft.providerType]} connection`}
              style={{
                border: 'none',
                padding: 0,
                margin: 0,
                display: 'flex',
                flexDirection: 'column',
                gap: '0.5rem',
              }}
            >
              <legend style={{ fontWeight: 'bold', marginBottom: '0.25rem' }}>
                {PROVIDER_LABELS[draft.providerType]} connection
              </legend>
              <SchemaFields
                schema={form.schema}
                value={settings}
                onChange={setSettings}
                problems={shownSettingsIssues}
                idPrefix="account-settings"
              />
            </fieldset>
          )}
          <Text>CMK checks that the key exists and can be used before the Account becomes Ready.</Text>
        </FlexBox>
      </WizardStep>
      <ReviewStep
        selected={step === 'review'}
        disabled={index < 3}
        error={create.error}
        note={
          testKey.data?.usable
            ? 'The key was tested: CMK can wrap with it.'
            : 'The key has not been tested; CMK checks it when the Account is created.'
        }
      >
        <Field label="Account name" value={draft.name} />
        {draft.displayName && <Field label="Display name" value={draft.displayName} />}
        <Field label="Provider" value={PROVIDER_LABELS[draft.providerType]} />
        {draft.region && <Field label="Region" value={draft.region} />}
        <Field label="Key reference" value={draft.keyReference} />
        {form && (
          <Field
            label={`${PROVIDER_LABELS[draft.providerType]} connection`}
            value={Object.keys(settingsValue).length > 0 ? Object.keys(settingsValue).join(', ') : 'defaults'}
          />
        )}
      </ReviewStep>
    </WizardDialog>
  );
}
