import { ObjectStatus } from '@openkcm/ui-kit';

type Design = 'None' | 'Positive' | 'Negative' | 'Critical' | 'Information';

const DESIGNS: Record<string, Design> = {
  // FR-102: Provisioning grey, Active green, Suspended red.
  Provisioning: 'None',
  Active: 'Positive',
  Suspended: 'Negative',
  Ready: 'Positive',
  Enabled: 'Positive',
  Available: 'Positive',
  NotReady: 'Negative',
  Failed: 'Negative',
  Unreachable: 'Negative',
  NotUsable: 'Negative',
  Unknown: 'None',
  Disabled: 'Critical',
  ReKeying: 'Information',
  Deleting: 'Critical',
  Pending: 'None',
};

/** A phase as a coloured status with its word, so colour is never the only signal. */
export function PhaseStatus({ phase, label }: { phase: string; label?: string }) {
  return (
    <ObjectStatus
      state={DESIGNS[phase] ?? 'None'}
      showDefaultIcon
      inverted={false}
      data-phase={phase}
      aria-label={`${label ?? 'Status'}: ${phase}`}
    >
      {phase}
    </ObjectStatus>
  );
}
