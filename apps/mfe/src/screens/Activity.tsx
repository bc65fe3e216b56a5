import { Bar, Button, FlexBox, Input, Label, Option, Select, Title } from '@openkcm/ui-kit';
import { useMemo } from 'react';
import { AuditList } from '../components/AuditList.js';
import type { ListParams } from '../components/list-view.js';

const ACTIONS: Array<[string, string]> = [
  ['', 'Any action'],
  ['key.', 'Service keys'],
  ['key.rotate', 'Rotations'],
  ['key.use', 'Use at a Crypto Edge'],
  ['account.', 'Accounts'],
  ['tenant.', 'Tenant'],
  ['edge.', 'Crypto Edges'],
];
const PERIODS: Array<[string, string, number]> = [
  ['', 'Any time', 0],
  ['1h', 'Last hour', 3_600_000],
  ['24h', 'Last 24 hours', 86_400_000],
  ['7d', 'Last 7 days', 7 * 86_400_000],
  ['30d', 'Last 30 days', 30 * 86_400_000],
];

interface FilterProps {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (value: string) => void;
}

/** A labelled text filter, applied when the user presses Enter or leaves the field. */
function TextFilter({ id, label, value, onChange, placeholder }: FilterProps & { placeholder: string }) {
  return (
    <FlexBox direction="Column">
      <Label for={id}>{label}</Label>
      <Input
        id={id}
        accessibleName={label}
        placeholder={placeholder}
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value)}
      />
    </FlexBox>
  );
}

function ChoiceFilter({
  id,
  label,
  value,
  onChange,
  choices,
}: FilterProps & { choices: Array<[string, string]> }) {
  return (
    <FlexBox direction="Column">
      <Label for={id}>{label}</Label>
      <Select
        id={id}
        accessibleName={label}
        onChange={(event) => onChange((event.detail.selectedOption as HTMLElement).dataset.value ?? '')}
      >
        {choices.map(([choice, text]) => (
          <Option key={choice} data-value={choice} selected={(value ?? '') === choice}>
            {text}
          </Option>
        ))}
      </Select>
    </FlexBox>
  );
}

/** The tenant's audit trail: who did what, when, with which result; filters live in the link. */
export function Activity({
  params,
  setParams,
}: {
  params: ListParams;
  setParams: (params: ListParams) => void;
}) {
  const set = (name: string, value: string) => setParams({ ...params, [name]: value.trim() });
  const period = PERIODS.find(([id]) => id === (params.period ?? '')) ?? PERIODS[0];
  // The period becomes a fixed `since` when chosen, so paging through older entries stays consistent.
  const filters = useMemo(() => {
    const chosen: Record<string, string> = {};
    if (params.subject) chosen.subject = params.subject;
    if (params.actor) chosen.actor = params.actor;
    if (params.action) chosen.action = params.action;
    if (period && period[2] > 0) chosen.since = new Date(Date.now() - period[2]).toISOString();
    return chosen;
  }, [params.subject, params.actor, params.action, period]);
  const filtered = Object.values(params).some(Boolean);
  return (
    <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
      <Bar design="Subheader" startContent={<Title level="H3">Activity</Title>} />
      <FlexBox
        wrap="Wrap"
        alignItems="End"
        style={{ gap: '0.75rem' }}
        role="search"
        aria-label="Filter the activity"
      >
        <TextFilter
          id="activity-subject"
          label="Object"
          placeholder="Key or Account name"
          value={params.subject}
          onChange={(value) => set('subject', value)}
        />
        <TextFilter
          id="activity-actor"
          label="Who"
          placeholder="User name"
          value={params.actor}
          onChange={(value) => set('actor', value)}
        />
        <ChoiceFilter
          id="activity-action"
          label="What"
          choices={ACTIONS}
          value={params.action}
          onChange={(value) => set('action', value)}
        />
        <ChoiceFilter
          id="activity-period"
          label="When"
          choices={PERIODS.map(([value, text]) => [value, text])}
          value={params.period}
          onChange={(value) => set('period', value)}
        />
        {filtered && (
          <Button design="Transparent" icon="decline" onClick={() => setParams({})}>
            Clear filters
          </Button>
        )}
      </FlexBox>
      <AuditList filters={filters} />
    </FlexBox>
  );
}
