import { ALGORITHMS } from '@openkcm/api';
import { KeyBody } from '@openkcm/bff-api';
import { validate } from '@openkcm/schema';
import { FlexBox, Label, MessageStrip, Option, Select, Text, WizardStep } from '@openkcm/ui-kit';
import { useState } from 'react';
import { useAccounts, useCreateKey, useEnvironment, useKeys, usePendingDeletion } from '../api/hooks.js';
import { useNotify } from '../components/notify.js';
import { Field } from '../components/object-parts.js';
import { ScheduleSelect } from '../components/ScheduleSelect.js';
import { TextField } from '../components/TextField.js';
import { ReviewStep, WizardDialog } from '../components/WizardDialog.js';
import { describeSchedule, formatTime } from '../format.js';
import { nameProblem } from '../names.js';
import { scheduleProblem } from '../schedules.js';

const STEPS = ['account', 'policy', 'review'] as const;
type Step = (typeof STEPS)[number];

/** The entries of the allowed-workloads field: SPIFFE IDs separated by commas or spaces. */
function workloadsOf(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

function workloadsProblem(text: string): string | undefined {
  const entries = workloadsOf(text);
  const invalid = entries.find(
    (entry) =>
      validate(
        KeyBody,
        { name: 'x', accountRef: { name: 'x' }, allowedWorkloads: [entry] },
        { applyDefaults: false },
      ).causes.length > 0,
  );
  if (invalid)
    return `"${invalid}" is not a SPIFFE ID: write spiffe://<trust domain>/<path>, e.g. spiffe://openkcm.local/ns/default/sa/orders (* stands for one path segment, a last ** for the rest)`;
  if (new Set(entries).size !== entries.length) return 'Each workload may be listed once';
  if (entries.length > 64)
    return 'At most 64 entries; use a pattern such as spiffe://openkcm.local/ns/default/sa/*';
  return undefined;
}

/** FR-301/FR-403: parent Account → rotation policy and algorithm. */
export function KeyWizard({
  open,
  onClose,
  account,
}: {
  open: boolean;
  onClose: () => void;
  account?: string | undefined;
}) {
  const accounts = useAccounts();
  const keys = useKeys();
  const pending = usePendingDeletion();
  const create = useCreateKey();
  const tell = useNotify();
  const { host } = useEnvironment();
  const [step, setStep] = useState<Step>('account');
  const [draft, setDraft] = useState({
    account: account ?? '',
    name: '',
    rotationSchedule: 'Monthly',
    algorithm: ALGORITHMS[0] as string,
    allowedWorkloads: '',
  });
  const [touched, setTouched] = useState(false);
  const ready = (accounts.data ?? []).filter(
    (candidate) => candidate.status?.phase === 'Ready' || candidate.status?.phase === 'ReKeying',
  );
  const chosen = draft.account || ready[0]?.metadata.name || '';
  const held = pending.data?.keys.find((key) => key.name === draft.name);
  const problem =
    nameProblem(draft.name, 'payments-db') ??
    (keys.data?.some((key) => key.metadata.name === draft.name)
      ? `A key named "${draft.name}" already exists; choose another name`
      : held
        ? `"${draft.name}" was deleted and is in its waiting period until ${formatTime(held.deleteAfter, host.locale)}; cancel its deletion under Pending deletion to get it back, or choose another name`
        : undefined);
  const schedule = draft.rotationSchedule
    ? scheduleProblem(draft.rotationSchedule)
    : 'Type a custom schedule, e.g. 12h or 14d';
  const workloadProblem = workloadsProblem(draft.allowedWorkloads);
  const close = () => {
    setStep('account');
    setDraft({
      account: account ?? '',
      name: '',
      rotationSchedule: 'Monthly',
      algorithm: ALGORITHMS[0],
      allowedWorkloads: '',
    });
    setTouched(false);
    create.reset();
    onClose();
  };
  const submit = async () => {
    setTouched(true);
    if (problem || workloadProblem || schedule || !chosen) return;
    const allowedWorkloads = workloadsOf(draft.allowedWorkloads);
    await create.mutateAsync({
      name: draft.name,
      accountRef: { name: chosen },
      rotationSchedule: draft.rotationSchedule,
      algorithm: draft.algorithm,
      ...(allowedWorkloads.length > 0 ? { allowedWorkloads } : {}),
    });
    tell(`Service key ${draft.name} created; version 1 is made now`);
    close();
  };
  const canAdvance =
    step === 'account' ? Boolean(chosen) : !problem && !workloadProblem && !schedule && draft.name !== '';
  return (
    <WizardDialog
      title="Create service key"
      width="min(44rem, 95vw)"
      open={open}
      steps={STEPS}
      step={step}
      setStep={setStep}
      canAdvance={canAdvance}
      finishText="Create key"
      busy={create.isPending}
      onFinish={() => void submit().catch(() => undefined)}
      onClose={close}
    >
      <WizardStep
        titleText="Parent Account"
        selected={step === 'account'}
        data-step="account"
        icon="chain-link"
      >
        <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
          <Label for="key-account" required showColon>
            Account (L2) that protects this key
          </Label>
          {ready.length === 0 ? (
            <MessageStrip design="Critical" hideCloseButton>
              No Account is Ready yet. Create an Account and wait until it is Ready.
            </MessageStrip>
          ) : (
            <Select
              id="key-account"
              accessibleName="Parent Account"
              onChange={(event) =>
                setDraft((current) => ({
                  ...current,
                  account: (event.detail.selectedOption as HTMLElement & { value?: string }).value ?? '',
                }))
              }
            >
              {ready.map((candidate) => (
                <Option
                  key={candidate.metadata.name}
                  value={candidate.metadata.name}
                  selected={candidate.metadata.name === chosen}
                  additionalText={String(candidate.spec.providerType)}
                >
                  {candidate.metadata.name}
                </Option>
              ))}
            </Select>
          )}
        </FlexBox>
      </WizardStep>
      <WizardStep
        titleText="Rotation policy"
        selected={step === 'policy'}
        data-step="policy"
        icon="history"
        disabled={step === 'account'}
      >
        <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
          <TextField
            id="key-name"
            label="Key name"
            required
            value={draft.name}
            placeholder="payments-db"
            onChange={(name) => {
              setDraft((current) => ({ ...current, name }));
              setTouched(true);
            }}
            problem={touched ? problem : undefined}
            maxLength={63}
          />
          <Label showColon>Rotation schedule</Label>
          <ScheduleSelect
            accessibleName="Rotation schedule"
            value={draft.rotationSchedule}
            onChange={(rotationSchedule) => setDraft((current) => ({ ...current, rotationSchedule }))}
            onIncomplete={() => setDraft((current) => ({ ...current, rotationSchedule: '' }))}
          />
          {schedule && (
            <Text role="alert" style={{ color: 'var(--sapNegativeTextColor)' }}>
              {schedule}
            </Text>
          )}
          <Label for="key-algorithm" showColon>
            Algorithm
          </Label>
          <Select
            id="key-algorithm"
            accessibleName="Algorithm"
            onChange={(event) =>
              setDraft((current) => ({
                ...current,
                algorithm:
                  (event.detail.selectedOption as HTMLElement & { value?: string }).value ?? ALGORITHMS[0],
              }))
            }
          >
            {ALGORITHMS.map((algorithm) => (
              <Option key={algorithm} value={algorithm} selected={algorithm === draft.algorithm}>
                {algorithm}
              </Option>
            ))}
          </Select>
          <TextField
            id="key-allowed-workloads"
            label="Allowed workloads (SPIFFE IDs, separated by commas)"
            value={draft.allowedWorkloads}
            placeholder="spiffe://openkcm.local/ns/default/sa/orders"
            onChange={(allowedWorkloads) => setDraft((current) => ({ ...current, allowedWorkloads }))}
            problem={workloadProblem}
          />
          <Text>
            Only these workloads may use the key at a Crypto Edge; with none, nobody can until you add them.
            Version 1 is created at once; each rotation adds a version, older versions stay decrypt-only.
          </Text>
        </FlexBox>
      </WizardStep>
      <ReviewStep selected={step === 'review'} disabled={step !== 'review'} error={create.error}>
        <Field label="Key name" value={draft.name} />
        <Field label="Account" value={chosen} />
        <Field label="Rotation" value={describeSchedule(draft.rotationSchedule)} />
        <Field label="Algorithm" value={draft.algorithm} />
        <Field
          label="Allowed workloads"
          value={workloadsOf(draft.allowedWorkloads).join(', ') || 'none yet: nobody can use the key'}
        />
      </ReviewStep>
    </WizardDialog>
  );
}
