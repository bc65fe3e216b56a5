import { ACCOUNT_PHASES, type Account } from '@openkcm/api';
import {
  Button,
  FlexBox,
  Icon,
  Link,
  ProgressIndicator,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Tag,
  Text,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { useAccounts, useDeleteAccount, useEnvironment } from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { applyList, type ListParams, type ListSpec, ListToolbar } from '../components/list-view.js';
import { useNotify } from '../components/notify.js';
import { Empty, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { readyCondition } from '../format.js';
import { countText } from '../i18n/messages.js';
import { usePermission } from '../permissions.js';
import { PROVIDER_LABELS, type ProviderType } from '../providers.js';
import { hrefOf } from '../routing.js';
import { AccountWizard } from './AccountWizard.js';
import { RekeyDialog } from './RekeyDialog.js';

/** FR-202: the chain an Account anchors, L1 in the keystore → this Account → the keys it wraps. */
export function TrustChain({ account }: { account: Account }) {
  const { host } = useEnvironment();
  const keys = account.status?.dependentKeys ?? 0;
  return (
    <FlexBox
      alignItems="Center"
      style={{ gap: '0.25rem', flexWrap: 'wrap' }}
      aria-label={`Trust chain: L1 ${account.spec.providerType} key wraps ${account.metadata.name}, which wraps ${countText(host.locale, 'serviceKeys', keys)}`}
    >
      <Tag design="Set2" colorScheme="6" hideStateIcon>
        L1 {PROVIDER_LABELS[account.spec.providerType as ProviderType] ?? account.spec.providerType}
      </Tag>
      <Icon name="arrow-right" accessibleName="wraps" />
      <Tag design="Set2" colorScheme="8" hideStateIcon>
        L2 {account.metadata.name}
      </Tag>
      <Icon name="arrow-right" accessibleName="wraps" />
      <Tag design="Set2" colorScheme="10" hideStateIcon data-testid="dependent-keys">
        {countText(host.locale, 'l3Keys', keys)}
      </Tag>
    </FlexBox>
  );
}

export function RekeyProgress({ account }: { account: Account }) {
  const rekey = account.status?.rekey;
  if (!rekey || rekey.state === 'Succeeded') return null;
  const percent =
    rekey.total > 0 ? Math.round((rekey.rewrapped / rekey.total) * 100) : rekey.state === 'Pending' ? 0 : 100;
  return (
    <ProgressIndicator
      value={percent}
      displayValue={`Re-key ${rekey.state}: ${rekey.rewrapped} of ${rekey.total}`}
      valueState={rekey.state === 'Failed' ? 'Negative' : 'Information'}
      accessibleName={`Re-key progress of ${account.metadata.name}`}
      data-testid="rekey-progress"
    />
  );
}

const byName = (a: Account, b: Account) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
const ACCOUNT_LIST: ListSpec<Account> = {
  text: (account) =>
    `${account.metadata.name} ${account.spec.displayName ?? ''} ${account.spec.keyReference} ${account.spec.providerType}`,
  status: (account) => account.status?.phase ?? 'Pending',
  statuses: ACCOUNT_PHASES,
  sorts: {
    Name: byName,
    'Most keys': (a, b) => (b.status?.dependentKeys ?? 0) - (a.status?.dependentKeys ?? 0) || byName(a, b),
    Provider: (a, b) => a.spec.providerType.localeCompare(b.spec.providerType) || byName(a, b),
  },
};

/** FR-204: deleting an Account; refused (with the keys named) while keys depend on it. */
export function AccountDeleteDialog({
  account,
  onClose,
  onDeleted,
}: {
  account: Account | undefined;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const remove = useDeleteAccount();
  const tell = useNotify();
  const name = account?.metadata.name ?? '';
  return (
    <ConfirmDialog
      open={account !== undefined}
      title={`Delete Account ${name}`}
      confirmText="Delete"
      confirmDesign="Negative"
      onConfirm={async () => {
        await remove.mutateAsync(name);
        tell(`Account ${name} is scheduled for deletion; cancel it under Pending deletion`);
        onDeleted?.();
      }}
      onClose={onClose}
    >
      <Text>
        The Account's L2 key is destroyed after CMK's waiting period; until then the deletion can be cancelled
        under Pending deletion. Accounts that still protect service keys cannot be deleted.
      </Text>
    </ConfirmDialog>
  );
}

export function Accounts({
  params,
  setParams,
}: {
  params: ListParams;
  setParams: (params: ListParams) => void;
}) {
  const accounts = useAccounts();
  const { canChange, why } = usePermission();
  const [creating, setCreating] = useState(false);
  const [rekeying, setRekeying] = useState<Account>();
  const [deleting, setDeleting] = useState<Account>();
  const createButton = (
    <Button
      design="Emphasized"
      icon="add"
      disabled={!canChange}
      tooltip={why}
      onClick={() => setCreating(true)}
    >
      Create Account
    </Button>
  );
  return (
    <>
      <QueryView what="Accounts" query={accounts}>
        {(all) => {
          const items = applyList(all, ACCOUNT_LIST, params);
          return (
            <>
              <ListToolbar
                title="Accounts (L2 roots of trust)"
                what="Accounts"
                shown={items.length}
                total={all.length}
                spec={ACCOUNT_LIST}
                params={params}
                setParams={setParams}
                actions={createButton}
              />
              {all.length === 0 ? (
                <Empty title="No Accounts yet">
                  An Account is your root of trust: a key of yours in AWS KMS, OpenBao, a Thales HSM or
                  another keystore wraps every service key below it.
                  {canChange ? ' Create one to start.' : ''}
                </Empty>
              ) : items.length === 0 ? (
                <Empty title="No Accounts match">Change the search or the filters to see more.</Empty>
              ) : (
                <Table
                  accessibleName="Accounts"
                  data-testid="accounts-table"
                  overflowMode="Popin"
                  headerRow={
                    <TableHeaderRow sticky>
                      <TableHeaderCell minWidth="10rem">Account</TableHeaderCell>
                      <TableHeaderCell minWidth="18rem">Trust chain</TableHeaderCell>
                      <TableHeaderCell minWidth="14rem">Key reference</TableHeaderCell>
                      <TableHeaderCell minWidth="8rem">Status</TableHeaderCell>
                      <TableHeaderCell minWidth="14rem">Actions</TableHeaderCell>
                    </TableHeaderRow>
                  }
                >
                  {items.map((account) => {
                    const name = account.metadata.name ?? '';
                    const ready = readyCondition(account);
                    return (
                      <TableRow key={name} rowKey={name} data-account={name}>
                        <TableCell>
                          <FlexBox direction="Column">
                            <Link
                              href={hrefOf({ screen: 'accounts', name })}
                              accessibleName={`Open Account ${name}`}
                            >
                              {name}
                            </Link>
                            {account.spec.displayName && (
                              <Text style={{ opacity: 0.75 }}>{account.spec.displayName}</Text>
                            )}
                            {account.spec.region && (
                              <Text style={{ opacity: 0.75 }}>{account.spec.region}</Text>
                            )}
                          </FlexBox>
                        </TableCell>
                        <TableCell>
                          <TrustChain account={account} />
                        </TableCell>
                        <TableCell>
                          <Text style={{ wordBreak: 'break-all' }}>{account.spec.keyReference}</Text>
                        </TableCell>
                        <TableCell>
                          <FlexBox direction="Column" style={{ gap: '0.25rem' }}>
                            <PhaseStatus phase={account.status?.phase ?? 'Pending'} />
                            {ready?.status === 'False' && (
                              <Text style={{ fontSize: '0.8125rem' }}>{ready.message}</Text>
                            )}
                            <RekeyProgress account={account} />
                          </FlexBox>
                        </TableCell>
                        <TableCell>
                          <FlexBox style={{ gap: '0.25rem' }} wrap="Wrap">
                            <Button
                              icon="synchronize"
                              disabled={!canChange}
                              tooltip={why ?? 'Move this Account to a new root key'}
                              onClick={() => setRekeying(account)}
                              accessibleName={`Re-key ${name}`}
                            >
                              Re-key
                            </Button>
                            <Button
                              icon="delete"
                              design="Transparent"
                              disabled={!canChange}
                              tooltip={why ?? 'Delete this Account'}
                              onClick={() => setDeleting(account)}
                              accessibleName={`Delete ${name}`}
                            >
                              Delete
                            </Button>
                          </FlexBox>
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </Table>
              )}
            </>
          );
        }}
      </QueryView>
      <AccountWizard open={creating} onClose={() => setCreating(false)} />
      <RekeyDialog account={rekeying} onClose={() => setRekeying(undefined)} />
      <AccountDeleteDialog account={deleting} onClose={() => setDeleting(undefined)} />
    </>
  );
}
