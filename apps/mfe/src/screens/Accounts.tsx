import type { Account } from '@openkcm/api';
import {
  Bar,
  Button,
  FlexBox,
  Icon,
  ProgressIndicator,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Tag,
  Text,
  Title,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { useAccounts, useDeleteAccount } from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Empty, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { readyCondition } from '../format.js';
import { usePermission } from '../permissions.js';
import { PROVIDER_LABELS, type ProviderType } from '../providers.js';
import { AccountWizard } from './AccountWizard.js';
import { RekeyDialog } from './RekeyDialog.js';

/** FR-202: the chain an Account anchors, L1 in the keystore → this Account → the keys it wraps. */
function TrustChain({ account }: { account: Account }) {
  const keys = account.status?.dependentKeys ?? 0;
  return (
    <FlexBox
      alignItems="Center"
      style={{ gap: '0.25rem', flexWrap: 'wrap' }}
      aria-label={`Trust chain: L1 ${account.spec.providerType} key wraps ${account.metadata.name}, which wraps ${keys} service keys`}
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
        {keys} L3 {keys === 1 ? 'key' : 'keys'}
      </Tag>
    </FlexBox>
  );
}

function RekeyProgress({ account }: { account: Account }) {
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

export function Accounts() {
  const accounts = useAccounts();
  const remove = useDeleteAccount();
  const { canChange, why } = usePermission();
  const [creating, setCreating] = useState(false);
  const [rekeying, setRekeying] = useState<Account>();
  const [deleting, setDeleting] = useState<Account>();
  return (
    <>
      <Bar
        design="Subheader"
        startContent={<Title level="H3">Accounts (L2 roots of trust)</Title>}
        endContent={
          <Button
            design="Emphasized"
            icon="add"
            disabled={!canChange}
            tooltip={why}
            onClick={() => setCreating(true)}
          >
            Create Account
          </Button>
        }
      />
      <QueryView what="Accounts" query={accounts}>
        {(items) =>
          items.length === 0 ? (
            <Empty title="No Accounts yet">
              An Account is your root of trust: a key of yours in AWS KMS, OpenBao, a Thales HSM or another
              keystore wraps every service key below it.
              {canChange ? ' Create one to start.' : ''}
            </Empty>
          ) : (
            <Table
              accessibleName="Accounts"
              data-testid="accounts-table"
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
                const ready = readyCondition(account);
                return (
                  <TableRow
                    key={account.metadata.name}
                    rowKey={account.metadata.name}
                    data-account={account.metadata.name}
                  >
                    <TableCell>
                      <FlexBox direction="Column">
                        <Text>{account.metadata.name}</Text>
                        {account.spec.displayName && (
                          <Text style={{ opacity: 0.75 }}>{account.spec.displayName}</Text>
                        )}
                        {account.spec.region && <Text style={{ opacity: 0.75 }}>{account.spec.region}</Text>}
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
                        <PhaseStatus
                          phase={account.status?.phase ?? 'Pending'}
                          label={`Account ${account.metadata.name}`}
                        />
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
                          accessibleName={`Re-key ${account.metadata.name}`}
                        >
                          Re-key
                        </Button>
                        <Button
                          icon="delete"
                          design="Transparent"
                          disabled={!canChange}
                          tooltip={why ?? 'Delete this Account'}
                          onClick={() => setDeleting(account)}
                          accessibleName={`Delete ${account.metadata.name}`}
                        >
                          Delete
                        </Button>
                      </FlexBox>
                    </TableCell>
                  </TableRow>
                );
              })}
            </Table>
          )
        }
      </QueryView>
      <AccountWizard open={creating} onClose={() => setCreating(false)} />
      <RekeyDialog account={rekeying} onClose={() => setRekeying(undefined)} />
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete Account ${deleting?.metadata.name ?? ''}`}
        confirmText="Delete"
        confirmDesign="Negative"
        onConfirm={() => remove.mutateAsync(deleting?.metadata.name ?? '')}
        onClose={() => setDeleting(undefined)}
      >
        <Text>
          The Account's L2 key is destroyed after CMK's waiting period. Accounts that still protect service
          keys cannot be deleted.
        </Text>
      </ConfirmDialog>
    </>
  );
}
