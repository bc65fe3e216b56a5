import { NOTIFICATION_EVENTS, type NotificationEvent } from '@openkcm/api';
import { WebhookBody, type WebhookCreated } from '@openkcm/bff-api';
import { validate } from '@openkcm/schema';
import {
  Bar,
  Button,
  CheckBox,
  Dialog,
  FlexBox,
  MessageStrip,
  RadioButton,
  Text,
  WizardStep,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { useCreateWebhook, useWebhooks } from '../api/hooks.js';
import { Field } from '../components/object-parts.js';
import { TextField } from '../components/TextField.js';
import { ReviewStep, WizardDialog } from '../components/WizardDialog.js';
import { nameProblem } from '../names.js';

const STEPS = ['endpoint', 'events', 'signing', 'review'] as const;
type Step = (typeof STEPS)[number];

/** What each event means to the people who receive it. */
export const EVENT_TEXT: Record<NotificationEvent, string> = {
  KeyCreated: 'A service key is created',
  KeyRotated: 'A service key rotates (on schedule or "rotate now")',
  KeyEnabled: 'A service key is enabled',
  KeyDisabled: 'A service key is disabled',
  KeyDeletionScheduled: 'A service key is deleted (its waiting period starts)',
  KeyDeletionCancelled: 'A deleted service key is restored',
  KeyDeleted: 'A service key is destroyed after its waiting period',
  AccountReady: 'An Account is ready, or its L1 key is usable again',
  AccountNotReady: "An Account's L1 key becomes unreachable or unusable",
  AccountReKeyStarted: 'An Account starts re-keying to a new L1 key',
  AccountReKeyed: 'An Account finishes re-keying',
  TenantActive: 'OpenKCM is enabled (or resumed) in the workspace',
  TenantSuspended: 'OpenKCM is disabled: the tenant is suspended',
};

const EMPTY = {
  name: '',
  url: 'https://',
  events: ['KeyRotated', 'AccountNotReady'] as NotificationEvent[],
  generate: true,
  secretName: '',
  secretKey: 'secret',
};

function problemsOf(draft: typeof EMPTY) {
  const causes = validate(
    WebhookBody,
    {
      name: draft.name,
      url: draft.url,
      events: draft.events,
      signingSecret: draft.generate ? { generate: true } : { name: draft.secretName, key: draft.secretKey },
    },
    { applyDefaults: false },
  ).causes;
  const about = (field: string) => causes.some((cause) => cause.field.startsWith(field));
  let url: URL | undefined;
  try {
    url = new URL(draft.url);
  } catch {
    url = undefined;
  }
  return {
    name: nameProblem(draft.name, 'slack-security'),
    url: !url?.hostname
      ? 'Enter the receiver’s URL, e.g. https://hooks.example.com/openkcm'
      : url.protocol !== 'https:'
        ? 'Use https: deliveries are refused over plain http unless an operator allows the host'
        : undefined,
    events: draft.events.length === 0 ? 'Choose at least one event' : undefined,
    secret:
      !draft.generate && (!draft.secretName || !draft.secretKey || about('signingSecret'))
        ? 'Name the Secret and the key that holds the signing key (whsec_… in base64)'
        : undefined,
  };
}

/** Create a tenant webhook: where to, which events, and how deliveries are signed. */
export function WebhookWizard({ open, onClose }: { open: boolean; onClose: () => void }) {
  const webhooks = useWebhooks();
  const create = useCreateWebhook();
  const [step, setStep] = useState<Step>('endpoint');
  const [draft, setDraft] = useState(EMPTY);
  const [touched, setTouched] = useState(false);
  const [created, setCreated] = useState<WebhookCreated>();
  const problems = problemsOf(draft);
  const nameTaken = webhooks.data?.some((hook) => hook.metadata.name === draft.name);
  const nameProblem =
    problems.name ?? (nameTaken ? `A webhook named "${draft.name}" exists; choose another name` : undefined);
  const close = () => {
    setStep('endpoint');
    setDraft(EMPTY);
    setTouched(false);
    setCreated(undefined);
    create.reset();
    onClose();
  };
  const submit = async () => {
    setTouched(true);
    if (nameProblem || problems.url || problems.events || problems.secret) return;
    setCreated(
      await create.mutateAsync({
        name: draft.name,
        url: draft.url,
        events: draft.events,
        signingSecret: draft.generate ? { generate: true } : { name: draft.secretName, key: draft.secretKey },
      }),
    );
  };
  const canAdvance =
    step === 'endpoint'
      ? !nameProblem && !problems.url
      : step === 'events'
        ? !problems.events
        : step === 'signing'
          ? !problems.secret
          : true;
  const toggle = (event: NotificationEvent, on: boolean) =>
    setDraft((current) => ({
      ...current,
      events: on
        ? NOTIFICATION_EVENTS.filter((candidate) => candidate === event || current.events.includes(candidate))
        : current.events.filter((candidate) => candidate !== event),
    }));
  if (created) return <SigningKeyShown created={created} open={open} onClose={close} />;
  return (
    <WizardDialog
      title="Create webhook"
      width="min(44rem, 95vw)"
      open={open}
      steps={STEPS}
      step={step}
      setStep={setStep}
      canAdvance={canAdvance}
      beforeAdvance={() => {
        setTouched(true);
        return canAdvance;
      }}
      finishText="Create webhook"
      busy={create.isPending}
      onFinish={() => void submit().catch(() => undefined)}
      onClose={close}
    >
      <WizardStep titleText="Endpoint" selected={step === 'endpoint'} data-step="endpoint" icon="paper-plane">
        <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
          <TextField
            id="webhook-name"
            label="Name"
            required
            value={draft.name}
            placeholder="slack-security"
            onChange={(name) => {
              setDraft((current) => ({ ...current, name }));
              setTouched(true);
            }}
            problem={touched ? nameProblem : undefined}
            maxLength={63}
          />
          <TextField
            id="webhook-url"
            label="Receiver URL"
            required
            value={draft.url}
            placeholder="https://hooks.example.com/openkcm"
            onChange={(url) => setDraft((current) => ({ ...current, url }))}
            problem={touched && draft.url !== 'https://' ? problems.url : undefined}
            maxLength={2048}
          />
          <Text>
            CMK posts each event to this URL, signed, and retries with backoff when the receiver fails.
            Internal addresses (loopback, private ranges, cloud metadata) are refused.
          </Text>
        </FlexBox>
      </WizardStep>
      <WizardStep
        titleText="Events"
        selected={step === 'events'}
        data-step="events"
        icon="bell"
        disabled={step === 'endpoint'}
      >
        <FlexBox direction="Column" role="group" aria-label="Events to deliver">
          {NOTIFICATION_EVENTS.map((event) => (
            <CheckBox
              key={event}
              data-event={event}
              text={`${EVENT_TEXT[event]} (${event})`}
              checked={draft.events.includes(event)}
              onChange={(change) => toggle(event, change.target.checked)}
            />
          ))}
          {problems.events && (
            <Text role="alert" style={{ color: 'var(--sapNegativeTextColor)' }}>
              {problems.events}
            </Text>
          )}
        </FlexBox>
      </WizardStep>
      <WizardStep
        titleText="Signing"
        selected={step === 'signing'}
        data-step="signing"
        icon="locked"
        disabled={step === 'endpoint' || step === 'events'}
      >
        <FlexBox direction="Column" style={{ gap: '0.5rem' }} role="radiogroup" aria-label="Signing key">
          <RadioButton
            name="webhook-signing"
            text="Generate a signing key (shown once after creation)"
            checked={draft.generate}
            onChange={() => setDraft((current) => ({ ...current, generate: true }))}
          />
          <RadioButton
            name="webhook-signing"
            text="Use a key from an existing Secret"
            checked={!draft.generate}
            onChange={() => setDraft((current) => ({ ...current, generate: false }))}
          />
          {!draft.generate && (
            <>
              <TextField
                id="webhook-secret-name"
                label="Secret name"
                required
                value={draft.secretName}
                onChange={(secretName) => setDraft((current) => ({ ...current, secretName }))}
                maxLength={253}
              />
              <TextField
                id="webhook-secret-key"
                label="Key in the Secret"
                required
                value={draft.secretKey}
                onChange={(secretKey) => setDraft((current) => ({ ...current, secretKey }))}
                problem={touched ? problems.secret : undefined}
                maxLength={253}
              />
            </>
          )}
          <Text>
            Deliveries follow the Standard Webhooks specification: the receiver checks the webhook-signature
            header with this key, and drops anything else.
          </Text>
        </FlexBox>
      </WizardStep>
      <ReviewStep selected={step === 'review'} disabled={step !== 'review'} error={create.error}>
        <Field label="Name" value={draft.name} />
        <Field label="Receiver URL" value={draft.url} />
        <Field label="Events" value={draft.events.join(', ')} />
        <Field
          label="Signing key"
          value={
            draft.generate
              ? `generated into Secret ${draft.name}-signing`
              : `${draft.secretName} / ${draft.secretKey}`
          }
        />
      </ReviewStep>
    </WizardDialog>
  );
}

/** The generated signing key, once: the receiver needs it, and nobody can read it here again. */
function SigningKeyShown({
  created,
  open,
  onClose,
}: {
  created: WebhookCreated;
  open: boolean;
  onClose: () => void;
}) {
  const key = created.signingSecret.value;
  return (
    <Dialog
      open={open}
      headerText="Webhook created"
      accessibleName="Webhook created"
      onClose={onClose}
      style={{ width: 'min(40rem, 95vw)' }}
      footer={
        <Bar
          endContent={
            <Button design="Emphasized" onClick={onClose}>
              Done
            </Button>
          }
        />
      }
    >
      <FlexBox direction="Column" style={{ gap: '0.75rem' }}>
        {key ? (
          <>
            <MessageStrip design="Critical" hideCloseButton>
              Copy the signing key now and give it to the receiver: it is shown only this once. It is kept in
              Secret {created.signingSecret.name}.
            </MessageStrip>
            <Field label="Signing key" value={<code data-testid="signing-key">{key}</code>} copy={key} />
          </>
        ) : (
          <Text>
            Deliveries are signed with the key in Secret {created.signingSecret.name} (
            {created.signingSecret.key}).
          </Text>
        )}
        <Text>Send a test event from the list to check that the receiver takes it.</Text>
      </FlexBox>
    </Dialog>
  );
}
