import {
  Bar,
  Button,
  FlexBox,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Text,
  Title,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { type EventKind, useCancelDeletion, useEnvironment, usePendingDeletion } from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { useNotify } from '../components/notify.js';
import { Empty, QueryView } from '../components/states.js';
import { formatTime } from '../format.js';
import { usePermission } from '../permissions.js';

interface Waiting {
  kind: EventKind;
  name: string;
  detail: string;
  deleteAfter: string;
}

/** Keys and Accounts in their waiting period: when they are destroyed, and a way back (Admins). */
export function PendingDeletion() {
  const pending = usePendingDeletion();
  const cancel = useCancelDeletion();
  const { host } = useEnvironment();
  const { canChange, why } = usePermission();
  const tell = useNotify();
  const [restoring, setRestoring] = useState<Waiting>();
  const noun = (kind: EventKind) => (kind === 'Account' ? 'Account' : 'Service key');
  return (
    <>
      <Bar design="Subheader" startContent={<Title level="H3">Pending deletion</Title>} />
      <QueryView what="the objects pending deletion" query={pending}>
        {(data) => {
          const rows: Waiting[] = [
            ...data.accounts.map((account) => ({
              kind: 'Account' as const,
              name: account.name,
              detail: `${account.providerType} · ${account.keyReference}`,
              deleteAfter: account.deleteAfter,
            })),
            ...data.keys.map((key) => ({
              kind: 'ServiceEncryptionKey' as const,
              name: key.name,
              detail: `under ${key.account} · v${key.currentVersion}`,
              deleteAfter: key.deleteAfter,
            })),
          ].sort((a, b) => a.deleteAfter.localeCompare(b.deleteAfter));
          if (rows.length === 0)
            return (
              <Empty title="Nothing is waiting for deletion">
                Deleted keys and Accounts stay here through CMK's waiting period, so a mistaken deletion can
                be undone before their material is destroyed.
              </Empty>
            );
          return (
            <Table
              accessibleName="Pending deletion"
              overflowMode="Popin"
              data-testid="pending-deletion-table"
              headerRow={
                <TableHeaderRow sticky>
                  <TableHeaderCell minWidth="10rem">Name</TableHeaderCell>
                  <TableHeaderCell minWidth="8rem">Kind</TableHeaderCell>
                  <TableHeaderCell minWidth="14rem">Destroyed on</TableHeaderCell>
                  <TableHeaderCell minWidth="10rem">Actions</TableHeaderCell>
                </TableHeaderRow>
              }
            >
              {rows.map((row) => (
                <TableRow
                  key={`${row.kind}/${row.name}`}
                  rowKey={`${row.kind}/${row.name}`}
                  data-pending={row.name}
                >
                  <TableCell>
                    <FlexBox direction="Column">
                      <Text>{row.name}</Text>
                      <Text style={{ opacity: 0.75 }}>{row.detail}</Text>
                    </FlexBox>
                  </TableCell>
                  <TableCell>
                    <Text>{noun(row.kind)}</Text>
                  </TableCell>
                  <TableCell>
                    <Text>{formatTime(row.deleteAfter, host.locale)}</Text>
                  </TableCell>
                  <TableCell>
                    <Button
                      icon="undo"
                      disabled={!canChange}
                      tooltip={why ?? 'Keep it: cancel the deletion'}
                      accessibleName={`Cancel the deletion of ${row.name}`}
                      onClick={() => setRestoring(row)}
                    >
                      Cancel deletion
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </Table>
          );
        }}
      </QueryView>
      <ConfirmDialog
        open={restoring !== undefined}
        title={`Restore ${restoring?.name ?? ''}`}
        confirmText="Restore"
        onConfirm={async () => {
          if (!restoring) return;
          await cancel.mutateAsync({ kind: restoring.kind, name: restoring.name });
          tell(`${restoring.name} is restored`);
        }}
        onClose={() => setRestoring(undefined)}
      >
        <Text>
          {restoring?.kind === 'Account'
            ? 'The Account comes back with its root key; its service keys can be created under it again.'
            : 'The key comes back with all its versions, in the state it had; data encrypted with it can be decrypted again.'}
        </Text>
      </ConfirmDialog>
    </>
  );
}
