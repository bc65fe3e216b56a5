import { Bar, Button, Dialog, FlexBox, MessageStrip, Text, Wizard, WizardStep } from '@openkcm/ui-kit';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { messageOf } from './states.js';

/**
 * A creation wizard in a dialog: Back / Next / finish / Cancel in the footer, one WizardStep child
 * per step (each with `data-step`). Steps move from React's current state, so quick clicks count.
 */
export function WizardDialog<Step extends string>({
  title,
  width,
  open,
  steps,
  step,
  setStep,
  canAdvance,
  beforeAdvance,
  finishText,
  busy,
  onFinish,
  onClose,
  children,
}: {
  title: string;
  width: string;
  open: boolean;
  steps: readonly Step[];
  step: Step;
  setStep: Dispatch<SetStateAction<Step>>;
  canAdvance: boolean;
  /** Checks the current step when Next is pressed; false keeps the user there (with its problems shown). */
  beforeAdvance?: () => boolean;
  finishText: string;
  busy: boolean;
  onFinish: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const index = steps.indexOf(step);
  const move = (delta: number) =>
    setStep(
      (current) => steps[Math.min(steps.length - 1, Math.max(0, steps.indexOf(current) + delta))] ?? current,
    );
  return (
    <Dialog
      open={open}
      headerText={title}
      accessibleName={title}
      onClose={onClose}
      style={{ width }}
      footer={
        <Bar
          endContent={
            <>
              {index > 0 && <Button onClick={() => move(-1)}>Back</Button>}
              {index < steps.length - 1 ? (
                <Button
                  design="Emphasized"
                  disabled={!canAdvance}
                  onClick={() => {
                    if (!beforeAdvance || beforeAdvance()) move(1);
                  }}
                >
                  Next
                </Button>
              ) : (
                <Button design="Emphasized" disabled={busy} onClick={onFinish}>
                  {finishText}
                </Button>
              )}
              <Button design="Transparent" onClick={onClose}>
                Cancel
              </Button>
            </>
          }
        />
      }
    >
      <Wizard
        contentLayout="SingleStep"
        onStepChange={(event) => {
          const chosen = event.detail.step.dataset.step as Step | undefined;
          if (chosen && steps.includes(chosen)) setStep(chosen);
        }}
      >
        {children}
      </Wizard>
    </Dialog>
  );
}

/**
 * A wizard's last step: what will be created, a note under it, and the server's refusal in place
 * (the wizard stays open with everything typed).
 */
export function ReviewStep({
  selected,
  disabled,
  error,
  note,
  children,
}: {
  selected: boolean;
  disabled: boolean;
  error: unknown;
  note?: ReactNode;
  children: ReactNode;
}) {
  return (
    <WizardStep titleText="Review" selected={selected} data-step="review" icon="survey" disabled={disabled}>
      <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
        <FlexBox wrap="Wrap" style={{ gap: '1rem 2rem' }}>
          {children}
        </FlexBox>
        {note && <Text>{note}</Text>}
        {error ? (
          <MessageStrip design="Negative" hideCloseButton role="alert" data-testid="wizard-error">
            {messageOf(error)}
          </MessageStrip>
        ) : null}
      </FlexBox>
    </WizardStep>
  );
}
