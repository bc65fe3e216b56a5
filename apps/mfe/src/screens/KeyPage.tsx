import type { KeyVersion } from '@openkcm/bff-api';
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
  Text,
} from '@openkcm/ui-kit';
import { useState } from 'react';
import { type KeyDetail, useEnvironment, useKey } from '../api/hooks.js';
import { BackLink, ObjectPage } from '../components/ObjectPage.js';
import { Field } from '../components/object-parts.js';
import { Empty, QueryView } from '../components/states.js';
import { describeSchedule, formatTime } from '../format.js';
import { countText } from '../i18n/messages.js';
import { hrefOf } from '../routing.js';
import { KeyActionButtons, useKeyActions } from './key-actions.js';

const ORIGIN_WORDS: Record<NonNullable<KeyVersion['origin']>, string> = {
  created: 'Created with the key',
  schedule: 'Rotated on schedule',
  'rotate-now': 'Rotate now',
};
const VERSION_STATE_WORDS: Record<KeyVersion['state'], string> = {
  ACTIVE: 'Usable',
  DESTROY_SCHEDULED: 'Destruction scheduled',
  DESTROYED: 'Destroyed',
};
const PAGE = 50;

/** The key as the API server holds it: the versions come from CMK, not from the object. */
function withoutVersions({ versions: _versions, ...key }: KeyDetail) {
  return key;
}

/** Every version CMK holds, newest first, grown a page at a time so a key with 1,000 versions opens at once. */
function VersionHistory({ versions, current }: { versions: KeyVersion[]; current: number | undefined }) {
  const { host } = useEnvironment();
  const [shown, setShown] = useState(PAGE);
  if (versions.length === 0) return <Empty title="No versions yet" />;
  return (
    <>
      <Table
        accessibleName="Version history"
        overflowMode="Popin"
        data-testid="version-history"
        headerRow={
          <TableHeaderRow sticky>
            <TableHeaderCell minWidth="5rem">Version</TableHeaderCell>
            <TableHeaderCell minWidth="12rem">Created</TableHeaderCell>
            <TableHeaderCell minWidth="10rem">How</TableHeaderCell>
            <TableHeaderCell minWidth="8rem">By</TableHeaderCell>
            <TableHeaderCell minWidth="10rem">State</TableHeaderCell>
          </TableHeaderRow>
        }
      >
        {versions.slice(0, shown).map((version) => (
          <TableRow key={version.version} rowKey={String(version.version)} data-version={version.version}>
            <TableCell>
              <Text>
                v{version.version}
                {version.version === current ? ' (current)' : ''}
              </Text>
            </TableCell>
            <TableCell>
              <Text>{formatTime(version.createdAt, host.locale)}</Text>
            </TableCell>
            <TableCell>
              <Text>{version.origin ? ORIGIN_WORDS[version.origin] : 'Not recorded'}</Text>
            </TableCell>
            <TableCell>
              <Text data-testid="version-actor">{version.createdBy ?? 'Not recorded'}</Text>
            </TableCell>
            <TableCell>
              <Text>
                {VERSION_STATE_WORDS[version.state]}
                {version.destroyAfter ? ` on ${formatTime(version.destroyAfter, host.locale)}` : ''}
              </Text>
            </TableCell>
          </TableRow>
        ))}
      </Table>
      {shown < versions.length && (
        <Button design="Transparent" onClick={() => setShown((count) => count + PAGE)}>
          Show older versions ({countText(host.locale, 'versions', versions.length - shown)} more)
        </Button>
      )}
    </>
  );
}

/** A key's object page: header, actions, versions with who made them, conditions, events, audit trail, YAML. */
export function KeyPage({ name, back }: { name: string; back: () => void }) {
  const key = useKey(name);
  const { host } = useEnvironment();
  const { act, failure, dialogs } = useKeyActions(back);
  return (
    <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
      <BackLink screen="keys" list="service keys" />
      <QueryView what={`the key ${name}`} query={key}>
        {(detail) => {
          const disabled = detail.spec.state === 'Disabled';
          const account = detail.spec.accountRef.name;
          const workloads = detail.status?.activeWorkloads ?? [];
          return (
            <ObjectPage
              kind="ServiceEncryptionKey"
              name={name}
              phase={detail.status?.phase ?? 'Pending'}
              actions={<KeyActionButtons keyObject={detail} act={act} />}
              banner={
                failure && (
                  <MessageStrip design="Negative" role="alert" hideCloseButton>
                    {failure}
                  </MessageStrip>
                )
              }
              fields={
                <>
                  <Field label="Name" value={name} copy={name} />
                  <Field
                    label="Account"
                    value={<Link href={hrefOf({ screen: 'accounts', name: account })}>{account}</Link>}
                    copy={account}
                  />
                  <Field label="Algorithm" value={detail.spec.algorithm ?? '—'} />
                  <Field
                    label="Current version"
                    value={detail.status?.currentVersion ? `v${detail.status.currentVersion}` : '—'}
                  />
                  <Field label="Rotation" value={describeSchedule(detail.spec.rotationSchedule)} />
                  <Field
                    label="Next rotation"
                    value={
                      disabled
                        ? 'paused while disabled'
                        : formatTime(detail.status?.nextRotation, host.locale)
                    }
                  />
                  <Field label="Last rotation" value={formatTime(detail.status?.lastRotation, host.locale)} />
                  <Field
                    label="Active workloads"
                    value={workloads.length > 0 ? workloads.join(', ') : 'none in the last 15 minutes'}
                  />
                  <Field
                    label="CMK key ID"
                    value={detail.status?.cmkKeyID ?? '—'}
                    copy={detail.status?.cmkKeyID}
                  />
                </>
              }
              conditions={detail.status?.conditions}
              auditFilters={{ subject: name }}
              object={withoutVersions(detail)}
              ownTab={{
                id: 'versions',
                text: 'Versions',
                content:
                  detail.versions === null ? (
                    <MessageStrip design="Critical" hideCloseButton>
                      CMK did not answer, so the versions cannot be shown now. Try again in a moment.
                    </MessageStrip>
                  ) : (
                    <VersionHistory versions={detail.versions} current={detail.status?.currentVersion} />
                  ),
              }}
            />
          );
        }}
      </QueryView>
      {dialogs}
    </FlexBox>
  );
}
