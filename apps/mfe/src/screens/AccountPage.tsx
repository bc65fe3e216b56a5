import {
  Bar,
  Button,
  FlexBox,
  Link,
  List,
  ListItemStandard,
  Tab,
  TabContainer,
  Title,
} from '@openkcm/ui-kit';
import { lazy, Suspense, useState } from 'react';
import { useAccount, useKeys } from '../api/hooks.js';
import { AuditList } from '../components/AuditList.js';
import { Conditions, Field, ObjectEvents } from '../components/object-parts.js';
import { Empty, Loading, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { usePermission } from '../permissions.js';
import { PROVIDER_LABELS, type ProviderType } from '../providers.js';
import { hrefOf } from '../routing.js';
import { AccountDeleteDialog, RekeyProgress, TrustChain } from './Accounts.js';
import { RekeyDialog } from './RekeyDialog.js';

const YamlView = lazy(() => import('../components/YamlView.js'));

/** The keys this Account wraps, each a link to its page. */
function DependentKeys({ account }: { account: string }) {
  const keys = useKeys();
  return (
    <QueryView what="the keys" query={keys}>
      {(all) => {
        const mine = all.filter((key) => key.spec.accountRef.name === account);
        if (mine.length === 0)
          return <Empty title="No service keys under this Account">Create a service key to use it.</Empty>;
        return (
          <List accessibleName={`Service keys under ${account}`} data-testid="dependent-key-list">
            {mine.map((key) => (
              <ListItemStandard
                type="Inactive"
                key={key.metadata.name}
                description={`v${key.status?.currentVersion ?? 0}`}
                additionalText={key.status?.phase ?? 'Pending'}
              >
                <Link href={hrefOf({ screen: 'keys', name: key.metadata.name ?? '' })}>
                  {key.metadata.name}
                </Link>
              </ListItemStandard>
            ))}
          </List>
        );
      }}
    </QueryView>
  );
}

/** An Account's object page: its trust chain, dependent keys, conditions, events, activity and YAML. */
export function AccountPage({ name, back }: { name: string; back: () => void }) {
  const account = useAccount(name);
  const { canChange, why } = usePermission();
  const [tab, setTab] = useState('keys');
  const [rekeying, setRekeying] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
      <Link href={hrefOf({ screen: 'accounts' })} accessibleName="Back to the Accounts">
        ← Accounts
      </Link>
      <QueryView what={`the Account ${name}`} query={account}>
        {(detail) => (
          <>
            <Bar
              startContent={
                <FlexBox alignItems="Center" style={{ gap: '0.75rem', flexWrap: 'wrap' }}>
                  <Title level="H3">{name}</Title>
                  <PhaseStatus phase={detail.status?.phase ?? 'Pending'} />
                </FlexBox>
              }
              endContent={
                <FlexBox style={{ gap: '0.25rem' }} wrap="Wrap">
                  <Button
                    icon="synchronize"
                    disabled={!canChange}
                    tooltip={why ?? 'Move this Account to a new root key'}
                    onClick={() => setRekeying(true)}
                  >
                    Re-key
                  </Button>
                  <Button
                    icon="delete"
                    design="Transparent"
                    disabled={!canChange}
                    tooltip={why ?? 'Delete this Account'}
                    onClick={() => setDeleting(true)}
                  >
                    Delete
                  </Button>
                </FlexBox>
              }
            />
            <TrustChain account={detail} />
            <RekeyProgress account={detail} />
            <FlexBox
              wrap="Wrap"
              style={{ gap: '1rem 2rem', padding: '0.5rem 0' }}
              data-testid="account-header"
            >
              <Field label="Name" value={name} copy={name} />
              {detail.spec.displayName && <Field label="Display name" value={detail.spec.displayName} />}
              <Field
                label="Provider"
                value={PROVIDER_LABELS[detail.spec.providerType as ProviderType] ?? detail.spec.providerType}
              />
              <Field label="Key reference" value={detail.spec.keyReference} copy={detail.spec.keyReference} />
              {detail.spec.region && <Field label="Region" value={detail.spec.region} />}
              <Field
                label="CMK Account ID"
                value={detail.status?.cmkAccountID ?? '—'}
                copy={detail.status?.cmkAccountID}
              />
            </FlexBox>
            <TabContainer
              contentBackgroundDesign="Transparent"
              onTabSelect={(event) => setTab(event.detail.tab.dataset.tab ?? 'keys')}
            >
              <Tab text="Service keys" data-tab="keys" selected={tab === 'keys'}>
                {tab === 'keys' && <DependentKeys account={name} />}
              </Tab>
              <Tab text="Conditions and events" data-tab="conditions" selected={tab === 'conditions'}>
                {tab === 'conditions' && (
                  <>
                    <Conditions conditions={detail.status?.conditions} />
                    <ObjectEvents kind="Account" name={name} />
                  </>
                )}
              </Tab>
              <Tab text="Audit trail" data-tab="activity" selected={tab === 'activity'}>
                {tab === 'activity' && <AuditList filters={{ subject: name, action: 'account.' }} />}
              </Tab>
              <Tab text="YAML" data-tab="yaml" selected={tab === 'yaml'}>
                {tab === 'yaml' && (
                  <Suspense fallback={<Loading what="the YAML" />}>
                    <YamlView object={detail} />
                  </Suspense>
                )}
              </Tab>
            </TabContainer>
            <RekeyDialog account={rekeying ? detail : undefined} onClose={() => setRekeying(false)} />
            <AccountDeleteDialog
              account={deleting ? detail : undefined}
              onClose={() => setDeleting(false)}
              onDeleted={back}
            />
          </>
        )}
      </QueryView>
    </FlexBox>
  );
}
