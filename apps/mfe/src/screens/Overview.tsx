import type { AttentionItem, AttentionProblem, L1State, OverviewResponse } from '@openkcm/bff-api';
import {
  Card,
  CardHeader,
  FlexBox,
  Link,
  List,
  ListItemCustom,
  ListItemStandard,
  Text,
  Title,
} from '@openkcm/ui-kit';
import { useEnvironment, useOverview, useStatus } from '../api/hooks.js';
import { Empty, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { formatTime, words } from '../format.js';
import { type CountMessage, countText } from '../i18n/messages.js';
import { hrefOf, type Screen } from '../routing.js';

function Figure({
  label,
  value,
  detail,
  testId,
  href,
}: {
  label: string;
  value: number | string;
  detail: string;
  testId: string;
  /** The list this figure counts, filtered. */
  href?: string;
}) {
  return (
    <Card header={<CardHeader titleText={label} />} style={{ width: '16rem' }}>
      <div style={{ padding: '0 1rem 1rem' }}>
        <Title level="H4" data-testid={testId}>
          {href ? <Link href={href}>{value}</Link> : value}
        </Title>
        <Text>{detail}</Text>
      </div>
    </Card>
  );
}

const PROBLEM_COUNTS: Record<AttentionProblem, CountMessage> = {
  NotReady: 'notReady',
  Pending: 'pendingLong',
  OverdueRotation: 'overdueKeys',
  Disabled: 'disabled',
  PendingDeletion: 'pendingDeletion',
};
/** Each problem shown with the status word (and colour) the lists use for it. */
const PROBLEM_PHASES: Record<AttentionProblem, string> = {
  NotReady: 'NotReady',
  Pending: 'Pending',
  OverdueRotation: 'Overdue',
  Disabled: 'Disabled',
  PendingDeletion: 'Deleting',
};

/** Where an attention item is looked at: its object page, or the pending-deletion list. */
function placeOf(item: AttentionItem): { screen: Screen; name?: string } {
  if (item.problem === 'PendingDeletion') return { screen: 'deletion' };
  if (item.kind === 'Tenant') return { screen: 'overview' };
  return { screen: item.kind === 'Account' ? 'accounts' : 'keys', name: item.name };
}

/** Everything NotReady, Pending too long, overdue, Disabled or pending deletion, each a link to it. */
function NeedsAttention({ items }: { items: OverviewResponse['attention'] }) {
  const { host } = useEnvironment();
  const counts = new Map<AttentionProblem, number>();
  for (const item of items) counts.set(item.problem, (counts.get(item.problem) ?? 0) + 1);
  return (
    <Card
      header={
        <CardHeader
          titleText="Needs attention"
          subtitleText={
            items.length === 0
              ? 'Everything is ready'
              : [...counts]
                  .map(([problem, count]) => countText(host.locale, PROBLEM_COUNTS[problem], count))
                  .join(' · ')
          }
        />
      }
      style={{ flex: '1 1 100%' }}
      data-testid="needs-attention"
    >
      {items.length === 0 ? (
        <Empty title="Nothing needs attention">
          Every Account and key is ready and rotating on schedule.
        </Empty>
      ) : (
        <List accessibleName="Needs attention">
          {items.slice(0, 20).map((item) => (
            <ListItemCustom
              type="Inactive"
              key={`${item.kind}/${item.name}/${item.problem}`}
              accessibleName={`${item.name}: ${words(item.problem === 'NotReady' ? item.reason : item.problem)}`}
            >
              <FlexBox direction="Column" style={{ padding: '0.5rem 0', gap: '0.25rem', width: '100%' }}>
                <FlexBox justifyContent="SpaceBetween" wrap="Wrap" style={{ gap: '0.5rem' }}>
                  <Link
                    href={hrefOf(placeOf(item))}
                    accessibleName={`${item.name}: ${words(item.problem === 'NotReady' ? item.reason : item.problem)}`}
                  >
                    {item.name}
                  </Link>
                  <PhaseStatus phase={PROBLEM_PHASES[item.problem]} />
                </FlexBox>
                <Text>
                  {item.kind === 'ServiceEncryptionKey' ? 'Service key' : item.kind} ·{' '}
                  {item.reason === 'WaitingForController'
                    ? `waiting for the controller since ${formatTime(item.since, host.locale)}`
                    : `${words(item.reason)}: ${item.message} (${item.problem === 'PendingDeletion' ? 'destroyed' : 'since'} ${formatTime(item.since, host.locale)})`}
                </Text>
              </FlexBox>
            </ListItemCustom>
          ))}
        </List>
      )}
    </Card>
  );
}

const L1_WORDS: Record<L1State, string> = {
  Available: 'Usable',
  Unreachable: 'Unreachable',
  NotUsable: 'Not usable',
  Unknown: 'Not checked',
};
const L1_DESIGNS = {
  Available: 'Positive',
  Unreachable: 'Negative',
  NotUsable: 'Negative',
  Unknown: 'None',
} as const satisfies Record<L1State, string>;

/** FR-402: the health of the whole key chain at a glance. */
export function Overview() {
  const overview = useOverview();
  const status = useStatus();
  const { host } = useEnvironment();
  return (
    <QueryView what="the overview" query={overview}>
      {(data) => {
        const tenantPhase = data.tenant?.phase ?? 'Provisioning';
        const unhealthy = data.l1Health.filter(
          (entry) => entry.state === 'Unreachable' || entry.state === 'NotUsable',
        );
        const keystores = (data.plugins ?? []).filter((plugin) => plugin.type === 'KeystoreProvider');
        return (
          <FlexBox direction="Column" style={{ gap: '1rem' }}>
            <FlexBox wrap="Wrap" style={{ gap: '1rem' }}>
              <Card
                header={
                  <CardHeader
                    titleText="Provider status"
                    subtitleText={data.tenant?.name ?? 'no Tenant yet'}
                  />
                }
                style={{ width: '16rem' }}
              >
                <div style={{ padding: '0 1rem 1rem' }} data-testid="tenant-status">
                  <PhaseStatus phase={tenantPhase} />
                  {status.data?.tenant?.status?.cmkTenantID && (
                    <Text style={{ display: 'block' }}>
                      CMK tenant {status.data.tenant.status.cmkTenantID}
                    </Text>
                  )}
                </div>
              </Card>
              <Figure
                label="Accounts"
                value={countText(host.locale, 'activeAccounts', data.accounts.active)}
                detail={`of ${countText(host.locale, 'accounts', data.accounts.total)}`}
                testId="active-accounts"
                href={hrefOf({ screen: 'accounts', params: { status: 'Ready' } })}
              />
              <Figure
                label="Service keys"
                value={countText(host.locale, 'overdueKeys', data.keys.overdueForRotation)}
                detail={`of ${countText(host.locale, 'keys', data.keys.total)} (${
                  Object.entries(data.keys.byState)
                    .map(([state, count]) => `${count} ${words(state).toLowerCase()}`)
                    .join(', ') || 'none yet'
                })`}
                testId="keys-overdue"
                href={hrefOf({ screen: 'keys', params: { sort: 'Next rotation' } })}
              />
              <Figure
                label="L1 health"
                value={unhealthy.length === 0 ? 'All usable' : `${unhealthy.length} not usable`}
                detail={`${countText(host.locale, 'rootKeys', data.l1Health.length)}; ${countText(host.locale, 'plugins', keystores.length)}`}
                testId="l1-health"
                href={hrefOf({
                  screen: 'accounts',
                  params: unhealthy.length > 0 ? { status: 'NotReady' } : {},
                })}
              />
            </FlexBox>
            <NeedsAttention items={data.attention} />
            <FlexBox wrap="Wrap" style={{ gap: '1rem' }} alignItems="Start">
              <Card header={<CardHeader titleText="L1 root keys" />} style={{ flex: '1 1 24rem' }}>
                {data.l1Health.length === 0 ? (
                  <Empty title="No Accounts yet">Create an Account to bring your root of trust.</Empty>
                ) : (
                  <List accessibleName="L1 root keys">
                    {data.l1Health.map((entry) => (
                      <ListItemStandard
                        type="Inactive"
                        key={entry.account}
                        description={`${entry.providerType} · ${entry.keyReference}`}
                        additionalText={L1_WORDS[entry.state]}
                        additionalTextState={L1_DESIGNS[entry.state]}
                        tooltip={entry.message ?? undefined}
                      >
                        <Link href={hrefOf({ screen: 'accounts', name: entry.account })}>
                          {entry.account}
                        </Link>
                      </ListItemStandard>
                    ))}
                  </List>
                )}
              </Card>
              <Card header={<CardHeader titleText="Recent events" />} style={{ flex: '1 1 24rem' }}>
                {data.recentEvents.length === 0 ? (
                  <Empty title="Nothing has happened yet" />
                ) : (
                  <List accessibleName="Recent events" data-testid="recent-events">
                    {data.recentEvents.map((event) => (
                      <ListItemStandard
                        type="Inactive"
                        key={`${event.time}${event.object}${event.reason}`}
                        description={`${event.object} · ${formatTime(event.time, host.locale)}`}
                        additionalText={event.type}
                        additionalTextState={event.type === 'Warning' ? 'Critical' : 'None'}
                      >
                        {event.message || event.reason}
                      </ListItemStandard>
                    ))}
                  </List>
                )}
              </Card>
            </FlexBox>
          </FlexBox>
        );
      }}
    </QueryView>
  );
}
