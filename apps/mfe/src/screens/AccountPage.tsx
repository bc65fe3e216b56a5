import { Button, FlexBox, Link, List, ListItemStandard } from '@openkcm/ui-kit';
import { useState } from 'react';
import { useAccount, useKeys } from '../api/hooks.js';
import { BackLink, ObjectPage } from '../components/ObjectPage.js';
import { Field } from '../components/object-parts.js';
import { Empty, QueryView } from '../components/states.js';
import { usePermission } from '../permissions.js';
import { PROVIDER_LABELS, type ProviderType } from '../providers.js';
import { hrefOf } from '../routing.js';
import { AccountDeleteDialog, RekeyProgress, TrustChain } from './Accounts.js';
import { RekeyDialog } from './RekeyDialog.js';

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

/** An Account's object page: its trust chain, dependent keys, conditions, events, audit trail and YAML. */
export function AccountPage({ name, back }: { name: string; back: () => void }) {
  const account = useAccount(name);
  const { canChange, why } = usePermission();
  const [rekeying, setRekeying] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
      <BackLink screen="accounts" list="Accounts" />
      <QueryView what={`the Account ${name}`} query={account}>
        {(detail) => (
          <>
            <ObjectPage
              kind="Account"
              name={name}
              phase={detail.status?.phase ?? 'Pending'}
              actions={
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
              banner={
                <>
                  <TrustChain account={detail} />
                  <RekeyProgress account={detail} />
                </>
              }
              fields={
                <>
                  <Field label="Name" value={name} copy={name} />
                  {detail.spec.displayName && <Field label="Display name" value={detail.spec.displayName} />}
                  <Field
                    label="Provider"
                    value={
                      PROVIDER_LABELS[detail.spec.providerType as ProviderType] ?? detail.spec.providerType
                    }
                  />
                  <Field
                    label="Key reference"
                    value={detail.spec.keyReference}
                    copy={detail.spec.keyReference}
                  />
                  {detail.spec.region && <Field label="Region" value={detail.spec.region} />}
                  <Field
                    label="CMK Account ID"
                    value={detail.status?.cmkAccountID ?? '—'}
                    copy={detail.status?.cmkAccountID}
                  />
                </>
              }
              conditions={detail.status?.conditions}
              auditFilters={{ subject: name, action: 'account.' }}
              object={detail}
              ownTab={{ id: 'keys', text: 'Service keys', content: <DependentKeys account={name} /> }}
            />
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
