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
        <FlexBox direction="Column">
          <Label for="activity-subject">Object</Label>
          <Input
            id="activity-subject"
            accessibleName="Object"
            placeholder="Key or Account name"
            value={params.subject ?? ''}
            onChange={(event) => set('subject', event.target.value)}
          />
        </FlexBox>
        <FlexBox direction="Column">
          <Label for="activity-actor">Who</Label>
          <Input
            id="activity-actor"
            accessibleName="Who"
            placeholder="User name"
            value={params.actor ?? ''}
            onChange={(event) => set('actor', event.target.value)}
          />
        </FlexBox>
        <FlexBox direction="Column">
          <Label for="activity-action">What</Label>
          <Select
            id="activity-action"
            accessibleName="What"
            onChange={(event) =>
              set('action', (event.detail.selectedOption as HTMLElement).dataset.value ?? '')
            }
          >
            {ACTIONS.map(([value, text]) => (
              <Option key={value} data-value={value} selected={(params.action ?? '') === value}>
                {text}
              </Option>
            ))}
          </Select>
        </FlexBox>
        <FlexBox direction="Column">
          <Label for="activity-period">When</Label>
          <Select
            id="activity-period"
            accessibleName="When"
            onChange={(event) =>
              set('period', (event.detail.selectedOption as HTMLElement).dataset.value ?? '')
            }
          >
            {PERIODS.map(([value, text]) => (
              <Option key={value} data-value={value} selected={(params.period ?? '') === value}>
                {text}
              </Option>
            ))}
          </Select>
        </FlexBox>
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
