import type { AuditEntry } from '@openkcm/bff-api';
import {
  Button,
  FlexBox,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Text,
} from '@openkcm/ui-kit';
import { useAudit, useEnvironment } from '../api/hooks.js';
import { formatTime } from '../format.js';
import { countText } from '../i18n/messages.js';
import { Empty, LoadError, Loading } from './states.js';

const ACTION_WORDS: Record<string, string> = {
  'tenant.provision': 'Tenant provisioned',
  'account.register': 'Account created',
  'account.l1-rotated': 'L1 key version changed',
  'account.delete': 'Account deletion scheduled',
  'account.cancel-deletion': 'Account deletion cancelled',
  'account.destroy': 'Account destroyed',
  'account.rekey.start': 'Re-key started',
  'account.rekey.complete': 'Re-key finished',
  'key.create': 'Key created',
  'key.rotate': 'Key rotated',
  'key.set-policy': 'Key settings changed',
  'key.delete': 'Key deletion scheduled',
  'key.cancel-deletion': 'Key deletion cancelled',
  'key.destroy': 'Key destroyed',
  'key.use': 'Key used at a Crypto Edge',
  'edge.register': 'Crypto Edge enrolled',
  'edge.revoke': 'Crypto Edge removed',
};

/** What happened, in words, with the detail that matters (the version a rotation made, for whom). */
function describe(entry: AuditEntry): string {
  const what = ACTION_WORDS[entry.action] ?? entry.action;
  const version = entry.details.version;
  const via = entry.details.via;
  return [
    what,
    typeof version === 'number' ? `v${version}` : '',
    typeof via === 'string' ? `(applied by ${via})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The tenant's audit trail (or an object's slice of it), newest first, older pages on request. */
export function AuditList({ filters }: { filters: Record<string, string> }) {
  const audit = useAudit(filters);
  const { host } = useEnvironment();
  if (audit.isPending) return <Loading what="the activity" />;
  if (!audit.data)
    return <LoadError what="the activity" error={audit.error} retry={() => void audit.refetch()} />;
  const entries = audit.data.pages.flatMap((page) => page.items);
  if (entries.length === 0)
    return (
      <Empty title="No activity">
        Nothing matches these filters. Widen the time range or clear a filter.
      </Empty>
    );
  return (
    <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
      <Table
        accessibleName={`Activity, ${countText(host.locale, 'entries', entries.length)} shown`}
        overflowMode="Popin"
        data-testid="audit-table"
        headerRow={
          <TableHeaderRow sticky>
            <TableHeaderCell minWidth="12rem">When</TableHeaderCell>
            <TableHeaderCell minWidth="8rem">Who</TableHeaderCell>
            <TableHeaderCell minWidth="14rem">What</TableHeaderCell>
            <TableHeaderCell minWidth="10rem">Object</TableHeaderCell>
            <TableHeaderCell minWidth="6rem">Result</TableHeaderCell>
          </TableHeaderRow>
        }
      >
        {entries.map((entry) => (
          <TableRow key={entry.id} rowKey={String(entry.id)} data-audit-action={entry.action}>
            <TableCell>
              <Text>{formatTime(entry.occurredAt, host.locale)}</Text>
            </TableCell>
            <TableCell>
              <Text data-testid="audit-actor">{entry.actor}</Text>
            </TableCell>
            <TableCell>
              <Text>{describe(entry)}</Text>
            </TableCell>
            <TableCell>
              <Text>{entry.subject}</Text>
            </TableCell>
            <TableCell>
              <Text>{entry.result === 'success' ? 'Succeeded' : entry.result}</Text>
            </TableCell>
          </TableRow>
        ))}
      </Table>
      {audit.hasNextPage && (
        <Button
          design="Transparent"
          disabled={audit.isFetchingNextPage}
          onClick={() => void audit.fetchNextPage()}
        >
          {audit.isFetchingNextPage ? 'Loading older entries…' : 'Show older entries'}
        </Button>
      )}
    </FlexBox>
  );
}
