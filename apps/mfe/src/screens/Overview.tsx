import type { L1State } from '@openkcm/bff-api';
import { Card, CardHeader, FlexBox, List, ListItemStandard, Text, Title } from '@openkcm/ui-kit';
import { useEnvironment, useOverview, useStatus } from '../api/hooks.js';
import { Empty, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { formatTime } from '../format.js';

function Figure({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: number | string;
  detail: string;
  testId: string;
}) {
  return (
    <Card header={<CardHeader titleText={label} />} style={{ width: '16rem' }}>
      <div style={{ padding: '0 1rem 1rem' }}>
        <Title level="H2" data-testid={testId}>
          {value}
        </Title>
        <Text>{detail}</Text>
      </div>
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
                  <PhaseStatus phase={tenantPhase} label="Provider status" />
                  {status.data?.tenant?.status?.cmkTenantID && (
                    <Text style={{ display: 'block' }}>
                      CMK tenant {status.data.tenant.status.cmkTenantID}
                    </Text>
                  )}
                </div>
              </Card>
              <Figure
                label="Accounts"
                value={`${data.accounts.active} Active Accounts`}
                detail={`${data.accounts.total} in total`}
                testId="active-accounts"
              />
              <Figure
                label="Service keys"
                value={`${data.keys.dueForRotationIn24h} keys due for rotation`}
                detail={`within 24 hours, of ${data.keys.total} keys (${
                  Object.entries(data.keys.byState)
                    .map(([state, count]) => `${count} ${state}`)
                    .join(', ') || 'none yet'
                })`}
                testId="keys-due"
              />
              <Figure
                label="L1 health"
                value={unhealthy.length === 0 ? 'All usable' : `${unhealthy.length} not usable`}
                detail={`${data.l1Health.length} root keys checked; ${keystores.length} keystore plugin(s)`}
                testId="l1-health"
              />
            </FlexBox>
            <FlexBox wrap="Wrap" style={{ gap: '1rem' }} alignItems="Start">
              <Card header={<CardHeader titleText="L1 root keys" />} style={{ flex: '1 1 24rem' }}>
                {data.l1Health.length === 0 ? (
                  <Empty title="No Accounts yet">Create an Account to bring your root of trust.</Empty>
                ) : (
                  <List accessibleName="L1 root keys">
                    {data.l1Health.map((entry) => (
                      <ListItemStandard
                        key={entry.account}
                        description={`${entry.providerType} · ${entry.keyReference}`}
                        additionalText={L1_WORDS[entry.state]}
                        additionalTextState={L1_DESIGNS[entry.state]}
                        tooltip={entry.message ?? undefined}
                      >
                        {entry.account}
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
