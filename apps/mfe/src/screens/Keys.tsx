import type { ServiceEncryptionKey } from '@openkcm/api';
import {
  Bar,
  Button,
  FlexBox,
  MessageStrip,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Tag,
  Text,
  Title,
  Toast,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { useDeleteKey, useEnvironment, useKeys, useRotateKey, useUpdateKey } from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ScheduleSelect } from '../components/ScheduleSelect.js';
import { Empty, messageOf, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { describeSchedule, formatTime } from '../format.js';
import { usePermission } from '../permissions.js';
import { KeyWizard } from './KeyWizard.js';

const accountOf = (key: ServiceEncryptionKey) => key.spec.accountRef.name;

/** FR-302..305: versions, schedule, rotate now, disable/enable, delete. */
export function Keys({
  accountFilter,
  clearFilter,
}: {
  accountFilter: string | undefined;
  clearFilter: () => void;
}) {
  const keys = useKeys();
  const update = useUpdateKey();
  const rotate = useRotateKey();
  const remove = useDeleteKey();
  const { host } = useEnvironment();
  const { canChange, why } = usePermission();
  const [creating, setCreating] = useState(false);
  const [toggling, setToggling] = useState<ServiceEncryptionKey>();
  const [deleting, setDeleting] = useState<ServiceEncryptionKey>();
  const [notice, setNotice] = useState<{ text: string; at: number }>();
  const [failure, setFailure] = useState<string>();
  const tell = (text: string) => setNotice({ text, at: Date.now() });
  const act = (work: Promise<unknown>, success: string) =>
    work.then(
      () => {
        setFailure(undefined);
        tell(success);
      },
      (error: unknown) => setFailure(messageOf(error)),
    );
  return (
    <>
      <Bar
        design="Subheader"
        startContent={
          <FlexBox alignItems="Center" style={{ gap: '0.5rem' }}>
            <Title level="H3">Service keys (L3)</Title>
            {accountFilter && (
              <Button
                design="Transparent"
                icon="decline"
                onClick={clearFilter}
                accessibleName={`Show keys of all Accounts, not only ${accountFilter}`}
                data-testid="account-filter"
              >
                Account: {accountFilter}
              </Button>
            )}
          </FlexBox>
        }
        endContent={
          <Button
            design="Emphasized"
            icon="add"
            disabled={!canChange}
            tooltip={why}
            onClick={() => setCreating(true)}
          >
            Create service key
          </Button>
        }
      />
      {failure && (
        <MessageStrip
          design="Negative"
          role="alert"
          onClose={() => setFailure(undefined)}
          data-testid="action-error"
        >
          {failure}
        </MessageStrip>
      )}
      <QueryView what="service keys" query={keys}>
        {(all) => {
          const items = accountFilter ? all.filter((key) => accountOf(key) === accountFilter) : all;
          if (items.length === 0)
            return (
              <Empty title={accountFilter ? `No service keys under ${accountFilter}` : 'No service keys yet'}>
                A service key is what your workloads encrypt with; it rotates on its schedule and is wrapped
                by its Account.
              </Empty>
            );
          return (
            <Table
              accessibleName="Service keys"
              data-testid="keys-table"
              headerRow={
                <TableHeaderRow sticky>
                  <TableHeaderCell minWidth="10rem">Key</TableHeaderCell>
                  <TableHeaderCell minWidth="7rem">Status</TableHeaderCell>
                  <TableHeaderCell minWidth="6rem">Current version</TableHeaderCell>
                  <TableHeaderCell minWidth="12rem">Next rotation</TableHeaderCell>
                  <TableHeaderCell minWidth="5rem">Active clients</TableHeaderCell>
                  <TableHeaderCell minWidth="12rem">Rotation schedule</TableHeaderCell>
                  <TableHeaderCell minWidth="16rem">Actions</TableHeaderCell>
                </TableHeaderRow>
              }
            >
              {items.map((key) => {
                const name = key.metadata.name ?? '';
                const disabled = key.spec.state === 'Disabled';
                return (
                  <TableRow key={name} rowKey={name} data-key={name}>
                    <TableCell>
                      <FlexBox direction="Column">
                        <Text>{name}</Text>
                        <Text style={{ opacity: 0.75 }}>
                          {accountOf(key)} · {key.spec.algorithm}
                        </Text>
                      </FlexBox>
                    </TableCell>
                    <TableCell>
                      <PhaseStatus phase={key.status?.phase ?? 'Pending'} label={`Key ${name}`} />
                    </TableCell>
                    <TableCell>
                      <Tag design="Information" hideStateIcon data-testid="current-version">
                        {key.status?.currentVersion ? `v${key.status.currentVersion}` : '—'}
                      </Tag>
                    </TableCell>
                    <TableCell>
                      <Text>
                        {disabled
                          ? 'paused while disabled'
                          : formatTime(key.status?.nextRotation, host.locale)}
                      </Text>
                    </TableCell>
                    <TableCell>
                      <Text
                        data-testid="active-clients"
                        title={
                          key.status?.activeWorkloads?.length
                            ? `Used in the last 15 minutes by ${key.status.activeWorkloads.join(', ')}`
                            : 'No workload used this key at a Crypto Edge in the last 15 minutes'
                        }
                      >
                        {key.status?.activeClients ?? 0}
                      </Text>
                    </TableCell>
                    <TableCell>
                      <ScheduleSelect
                        accessibleName={`Rotation schedule of ${name}`}
                        value={key.spec.rotationSchedule}
                        disabled={!canChange}
                        tooltip={why ?? describeSchedule(key.spec.rotationSchedule)}
                        onChange={(rotationSchedule) =>
                          void act(
                            update.mutateAsync({ name, rotationSchedule }),
                            `${name} now rotates ${describeSchedule(rotationSchedule)}`,
                          )
                        }
                      />
                    </TableCell>
                    <TableCell>
                      <FlexBox style={{ gap: '0.25rem' }} wrap="Wrap">
                        <Button
                          icon="refresh"
                          disabled={!canChange || disabled}
                          tooltip={
                            why ?? (disabled ? 'Enable the key to rotate it' : 'Create a new version now')
                          }
                          accessibleName={`Rotate now: ${name}`}
                          onClick={() =>
                            void act(
                              rotate.mutateAsync(name),
                              `Rotation of ${name} requested: v${key.status?.currentVersion ?? 0} → v${(key.status?.currentVersion ?? 0) + 1}`,
                            )
                          }
                        >
                          Rotate now
                        </Button>
                        <Button
                          icon={disabled ? 'play' : 'locked'}
                          disabled={!canChange}
                          tooltip={why}
                          accessibleName={`${disabled ? 'Enable' : 'Disable'} ${name}`}
                          onClick={() => setToggling(key)}
                        >
                          {disabled ? 'Enable' : 'Disable'}
                        </Button>
                        <Button
                          icon="delete"
                          design="Transparent"
                          disabled={!canChange}
                          tooltip={why ?? 'Delete this key'}
                          accessibleName={`Delete ${name}`}
                          onClick={() => setDeleting(key)}
                        >
                          Delete
                        </Button>
                      </FlexBox>
                    </TableCell>
                  </TableRow>
                );
              })}
            </Table>
          );
        }}
      </QueryView>
      <KeyWizard open={creating} onClose={() => setCreating(false)} account={accountFilter} />
      <ConfirmDialog
        open={toggling !== undefined}
        title={`${toggling?.spec.state === 'Disabled' ? 'Enable' : 'Disable'} ${toggling?.metadata.name ?? ''}`}
        confirmText={toggling?.spec.state === 'Disabled' ? 'Enable' : 'Disable'}
        confirmDesign={toggling?.spec.state === 'Disabled' ? 'Emphasized' : 'Negative'}
        onConfirm={async () => {
          const name = toggling?.metadata.name ?? '';
          const state = toggling?.spec.state === 'Disabled' ? 'Enabled' : 'Disabled';
          await update.mutateAsync({ name, state });
          tell(`${name} is ${state.toLowerCase()}`);
        }}
        onClose={() => setToggling(undefined)}
      >
        <Text>
          {toggling?.spec.state === 'Disabled'
            ? 'Workloads can encrypt and decrypt with this key again.'
            : 'Every Crypto Edge forgets this key and every decryption with it fails until it is enabled again. Rotation pauses.'}
        </Text>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deleting?.metadata.name ?? ''}`}
        confirmText="Delete"
        confirmDesign="Negative"
        onConfirm={async () => {
          await remove.mutateAsync(deleting?.metadata.name ?? '');
          tell(`${deleting?.metadata.name ?? ''} is being deleted`);
        }}
        onClose={() => setDeleting(undefined)}
      >
        <Text>
          All versions of this key are scheduled for destruction after CMK's waiting period; data encrypted
          with it cannot be decrypted afterwards.
        </Text>
      </ConfirmDialog>
      <Toast
        open={notice !== undefined}
        key={notice?.at}
        onClose={() => setNotice(undefined)}
        data-testid="toast"
      >
        {notice?.text}
      </Toast>
    </>
  );
}
