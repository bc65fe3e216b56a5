import { KEY_PHASES, type ServiceEncryptionKey } from '@openkcm/api';
import {
  Button,
  FlexBox,
  Link,
  MessageStrip,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Tag,
  Text,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { useEnvironment, useKeys, useUpdateKey } from '../api/hooks.js';
import { applyList, growing, type ListParams, type ListSpec, ListToolbar } from '../components/list-view.js';
import { useNotify } from '../components/notify.js';
import { ScheduleSelect } from '../components/ScheduleSelect.js';
import { Empty, messageOf, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { describeSchedule, formatTime } from '../format.js';
import { usePermission } from '../permissions.js';
import { hrefOf } from '../routing.js';
import { KeyWizard } from './KeyWizard.js';
import { KeyActionButtons, useKeyActions } from './key-actions.js';

const accountOf = (key: ServiceEncryptionKey) => key.spec.accountRef.name;

const byName = (a: ServiceEncryptionKey, b: ServiceEncryptionKey) =>
  (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
const time = (value: string | undefined) => Date.parse(value ?? '') || Number.MAX_SAFE_INTEGER;

const KEY_LIST: ListSpec<ServiceEncryptionKey> = {
  text: (key) => `${key.metadata.name} ${accountOf(key)} ${key.spec.algorithm ?? ''}`,
  status: (key) => key.status?.phase ?? 'Pending',
  statuses: KEY_PHASES,
  sorts: {
    Name: byName,
    'Next rotation': (a, b) => time(a.status?.nextRotation) - time(b.status?.nextRotation) || byName(a, b),
    'Most versions': (a, b) =>
      (b.status?.currentVersion ?? 0) - (a.status?.currentVersion ?? 0) || byName(a, b),
    'Most active clients': (a, b) =>
      (b.status?.activeClients ?? 0) - (a.status?.activeClients ?? 0) || byName(a, b),
  },
};

/** FR-302..305: versions, schedule, rotate now, disable/enable, delete; each key links to its page. */
export function Keys({ params, setParams }: { params: ListParams; setParams: (params: ListParams) => void }) {
  const keys = useKeys();
  const update = useUpdateKey();
  const { host } = useEnvironment();
  const { canChange, why } = usePermission();
  const tell = useNotify();
  const { act, failure: actionFailure, dialogs } = useKeyActions();
  const [creating, setCreating] = useState(false);
  const [pages, setPages] = useState(1);
  const [failure, setFailure] = useState<string>();
  const accountFilter = params.account;
  const shownFailure = failure ?? actionFailure;
  return (
    <>
      <QueryView what="service keys" query={keys}>
        {(all) => {
          const ofAccount = accountFilter ? all.filter((key) => accountOf(key) === accountFilter) : all;
          const items = applyList(ofAccount, KEY_LIST, params);
          const { rows, more } = growing(items, pages);
          return (
            <>
              <ListToolbar
                title="Service keys (L3)"
                what="keys"
                shown={items.length}
                total={all.length}
                spec={KEY_LIST}
                params={params}
                setParams={setParams}
                actions={
                  <>
                    {accountFilter && (
                      <Button
                        design="Transparent"
                        icon="decline"
                        onClick={() => setParams({ ...params, account: '' })}
                        accessibleName={`Show keys of all Accounts, not only ${accountFilter}`}
                        data-testid="account-filter"
                      >
                        Account: {accountFilter}
                      </Button>
                    )}
                    <Button
                      design="Emphasized"
                      icon="add"
                      disabled={!canChange}
                      tooltip={why}
                      onClick={() => setCreating(true)}
                    >
                      Create service key
                    </Button>
                  </>
                }
              />
              {shownFailure && (
                <MessageStrip
                  design="Negative"
                  role="alert"
                  onClose={() => setFailure(undefined)}
                  data-testid="action-error"
                >
                  {shownFailure}
                </MessageStrip>
              )}
              {items.length === 0 ? (
                <Empty
                  title={
                    all.length === 0
                      ? 'No service keys yet'
                      : accountFilter
                        ? `No matching service keys under ${accountFilter}`
                        : 'No service keys match'
                  }
                >
                  {all.length === 0
                    ? 'A service key is what your workloads encrypt with; it rotates on its schedule and is wrapped by its Account.'
                    : 'Change the search or the filters to see more.'}
                </Empty>
              ) : (
                <Table
                  accessibleName="Service keys"
                  data-testid="keys-table"
                  overflowMode="Popin"
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
                  {rows.map((key) => {
                    const name = key.metadata.name ?? '';
                    const disabled = key.spec.state === 'Disabled';
                    return (
                      <TableRow key={name} rowKey={name} data-key={name}>
                        <TableCell>
                          <FlexBox direction="Column">
                            <Link href={hrefOf({ screen: 'keys', name })} accessibleName={`Open key ${name}`}>
                              {name}
                            </Link>
                            <Text style={{ opacity: 0.75 }}>
                              {accountOf(key)} · {key.spec.algorithm}
                            </Text>
                          </FlexBox>
                        </TableCell>
                        <TableCell>
                          <PhaseStatus phase={key.status?.phase ?? 'Pending'} />
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
                              void update.mutateAsync({ name, rotationSchedule }).then(
                                () => {
                                  setFailure(undefined);
                                  tell(`${name} now rotates ${describeSchedule(rotationSchedule)}`);
                                },
                                (error: unknown) => setFailure(messageOf(error)),
                              )
                            }
                          />
                        </TableCell>
                        <TableCell>
                          <KeyActionButtons keyObject={key} act={act} />
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </Table>
              )}
              {more > 0 && (
                <Button design="Transparent" onClick={() => setPages((count) => count + 1)}>
                  Show more ({more} more)
                </Button>
              )}
            </>
          );
        }}
      </QueryView>
      <KeyWizard open={creating} onClose={() => setCreating(false)} account={accountFilter} />
      {dialogs}
    </>
  );
}
