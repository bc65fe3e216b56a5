import { Icon } from '@openkcm/ui-kit';
import { words } from '../format.js';

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
  Group: 'None',
  Disabled: 'Critical',
  ReKeying: 'Information',
  Deleting: 'Critical',
  Pending: 'None',
  Live: 'Positive',
  Overdue: 'Critical',
  Delivering: 'Positive',
  Paused: 'Critical',
  Failing: 'Negative',
};

const PHASE_WORDS: Record<string, string> = { ReKeying: 'Re-keying' };

const COLORS: Record<Design, string> = {
  None: 'var(--sapNeutralTextColor)',
  Positive: 'var(--sapPositiveTextColor)',
  Negative: 'var(--sapNegativeTextColor)',
  Critical: 'var(--sapCriticalTextColor)',
  Information: 'var(--sapInformativeTextColor)',
};
const ICONS: Record<Design, string | undefined> = {
  None: undefined,
  Positive: 'sys-enter-2',
  Negative: 'error',
  Critical: 'alert',
  Information: 'information',
};

/** The colour a phase is shown in, wherever it is shown (lists, topology, minimap). */
export function phaseColor(phase: string): string {
  return COLORS[DESIGNS[phase] ?? 'None'];
}

/**
 * A phase as a coloured status with its word, so colour is never the only signal. Screen readers
 * hear the word alone (the icon is decoration), not a control's role and state names around it.
 */
export function PhaseStatus({ phase }: { phase: string }) {
  const design = DESIGNS[phase] ?? 'None';
  const icon = ICONS[design];
  return (
    <span
      data-phase={phase}
      style={{
        color: COLORS[design],
        display: 'inline-flex',
        alignItems: 'center',
        gap: '0.25rem',
        fontWeight: 600,
      }}
    >
      {icon && (
        <Icon name={icon} aria-hidden="true" style={{ color: 'inherit', width: '1rem', height: '1rem' }} />
      )}
      {PHASE_WORDS[phase] ?? words(phase)}
    </span>
  );
}
