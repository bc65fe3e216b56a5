import type { Condition } from '@openkcm/api';
import {
  FlexBox,
  Label,
  List,
  ListItemStandard,
  Table,
  TableCell,
  TableHeaderCell,
  TableHeaderRow,
  TableRow,
  Text,
} from '@openkcm/ui-kit';
import type { ReactNode } from 'react';
import { type EventKind, useEnvironment, useObjectEvents } from '../api/hooks.js';
import { formatTime, words } from '../format.js';
import { CopyButton } from './CopyButton.js';
import { Empty, QueryView } from './states.js';

/** A labelled value of an object page's header, with a copy button where people paste it elsewhere. */
export function Field({ label, value, copy }: { label: string; value: ReactNode; copy?: string }) {
  return (
    <FlexBox direction="Column" style={{ minWidth: '10rem' }}>
      <Label showColon>{label}</Label>
      <FlexBox alignItems="Center" style={{ gap: '0.25rem' }}>
        <Text style={{ wordBreak: 'break-all' }}>{value}</Text>
        {copy !== undefined && copy !== '' && <CopyButton value={copy} what={label.toLowerCase()} />}
      </FlexBox>
    </FlexBox>
  );
}

/** The object's conditions as `kubectl describe` lists them, with the reason in words. */
export function Conditions({ conditions }: { conditions: Condition[] | undefined }) {
  const { host } = useEnvironment();
  if (!conditions || conditions.length === 0)
    return <Empty title="No conditions yet">The controller has not reported on this object yet.</Empty>;
  return (
    <Table
      accessibleName="Conditions"
      overflowMode="Popin"
      headerRow={
        <TableHeaderRow>
          <TableHeaderCell minWidth="8rem">Type</TableHeaderCell>
          <TableHeaderCell minWidth="6rem">Status</TableHeaderCell>
          <TableHeaderCell minWidth="10rem">Reason</TableHeaderCell>
          <TableHeaderCell minWidth="16rem">Message</TableHeaderCell>
          <TableHeaderCell minWidth="12rem">Since</TableHeaderCell>
        </TableHeaderRow>
      }
    >
      {conditions.map((condition) => (
        <TableRow key={condition.type} rowKey={condition.type}>
          <TableCell>
            <Text>{condition.type}</Text>
          </TableCell>
          <TableCell>
            <Text>
              {condition.status === 'True' ? 'Yes' : condition.status === 'False' ? 'No' : 'Unknown'}
            </Text>
          </TableCell>
          <TableCell>
            <Text>{words(condition.reason ?? '')}</Text>
          </TableCell>
          <TableCell>
            <Text>{condition.message ?? ''}</Text>
          </TableCell>
          <TableCell>
            <Text>{formatTime(condition.lastTransitionTime, host.locale)}</Text>
          </TableCell>
        </TableRow>
      ))}
    </Table>
  );
}

/** The object's Kubernetes Events, newest first, as `kubectl events --for` shows them. */
export function ObjectEvents({ kind, name }: { kind: EventKind; name: string }) {
  const events = useObjectEvents(kind, name);
  const { host } = useEnvironment();
  return (
    <QueryView what="the events" query={events}>
      {(items) =>
        items.length === 0 ? (
          <Empty title="No events">Events older than an hour are removed by the control plane.</Empty>
        ) : (
          <List accessibleName={`Events of ${name}`} data-testid="object-events">
            {items.map((event) => (
              <ListItemStandard
                type="Inactive"
                key={`${event.time}${event.reason}${event.message}`}
                description={formatTime(event.time, host.locale)}
                additionalText={event.type === 'Warning' ? 'Warning' : words(event.reason)}
                additionalTextState={event.type === 'Warning' ? 'Critical' : 'None'}
              >
                {event.message || words(event.reason)}
              </ListItemStandard>
            ))}
          </List>
        )
      }
    </QueryView>
  );
}
