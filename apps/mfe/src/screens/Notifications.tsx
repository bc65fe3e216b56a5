import type { WebHookNotification } from '@openkcm/api';
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
import {
  useDeleteWebhook,
  useEnvironment,
  usePauseWebhook,
  useTestWebhook,
  useWebhooks,
} from '../api/hooks.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { useNotify } from '../components/notify.js';
import { Empty, messageOf, QueryView } from '../components/states.js';
import { PhaseStatus } from '../components/status.js';
import { formatTime, readyCondition, words } from '../format.js';
import { usePermission } from '../permissions.js';
import { WebhookWizard } from './WebhookWizard.js';

/** How a webhook is doing, in one word: what the Ready condition says, or that nobody reported yet. */
function stateOf(hook: WebHookNotification): string {
  const ready = readyCondition(hook);
  if (!ready) return 'Pending';
  if (ready.status === 'True') return ready.reason === 'Paused' ? 'Paused' : 'Delivering';
  return ready.reason === 'DeliveryFailing' ? 'Failing' : 'NotReady';
}

/** FR-5.2: the workspace's webhooks, how their deliveries go, and a way to test, pause and remove them. */
export function Notifications() {
  const webhooks = useWebhooks();
  const test = useTestWebhook();
  const pause = usePauseWebhook();
  const remove = useDeleteWebhook();
  const { host } = useEnvironment();
  const { canChange, why } = usePermission();
  const tell = useNotify();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string>();
  const act = (work: Promise<unknown>, done: string) =>
    void work.then(
      () => tell(done),
      (error: unknown) => tell(messageOf(error)),
    );
  return (
    <>
      <Bar
        design="Subheader"
        startContent={<Title level="H3">Notifications</Title>}
        endContent={
          <Button
            icon="add"
            design="Emphasized"
            disabled={!canChange}
            tooltip={why ?? 'Send key chain events to a URL of yours'}
            onClick={() => setCreating(true)}
          >
            Create webhook
          </Button>
        }
      />
      <Text style={{ padding: '0 1rem' }}>
        Webhooks tell your own systems — a chat channel, an incident tool — when keys, Accounts and the tenant
        change. Each delivery is signed; a receiver that fails is retried with backoff.
      </Text>
      <QueryView what="the webhooks" query={webhooks}>
        {(items) =>
          items.length === 0 ? (
            <Empty title="No webhooks yet">
              Create one to hear, for example, when a key rotates or an Account's L1 key becomes unreachable.
            </Empty>
          ) : (
            <Table
              accessibleName="Webhooks"
              overflowMode="Popin"
              data-testid="webhooks-table"
              headerRow={
                <TableHeaderRow sticky>
                  <TableHeaderCell minWidth="12rem">Webhook</TableHeaderCell>
                  <TableHeaderCell minWidth="8rem">Status</TableHeaderCell>
                  <TableHeaderCell minWidth="14rem">Last delivery</TableHeaderCell>
                  <TableHeaderCell minWidth="10rem">Events</TableHeaderCell>
                  <TableHeaderCell minWidth="16rem">Actions</TableHeaderCell>
                </TableHeaderRow>
              }
            >
              {items.map((hook) => {
                const name = hook.metadata.name ?? '';
                const state = stateOf(hook);
                const ready = readyCondition(hook);
                const last = hook.status?.lastDelivery;
                const paused = hook.spec.enabled === false;
                return (
                  <TableRow key={name} rowKey={name} data-webhook={name}>
                    <TableCell>
                      <FlexBox direction="Column">
                        <Text>{name}</Text>
                        <Text style={{ opacity: 0.75, wordBreak: 'break-all' }}>{hook.spec.url}</Text>
                      </FlexBox>
                    </TableCell>
                    <TableCell>
                      <FlexBox direction="Column" data-testid="webhook-status">
                        <PhaseStatus phase={state} />
                        {ready && ready.status === 'False' && <Text>{ready.message}</Text>}
                        {(hook.status?.droppedEvents ?? 0) > 0 && (
                          <Text>{hook.status?.droppedEvents} events dropped after retrying</Text>
                        )}
                      </FlexBox>
                    </TableCell>
                    <TableCell>
                      {last ? (
                        <FlexBox direction="Column" data-testid="last-delivery">
                          <Text>
                            {words(last.event)}: {last.succeeded ? 'delivered' : 'failed'}
                            {last.httpStatus ? ` (HTTP ${last.httpStatus})` : ''}
                          </Text>
                          <Text style={{ opacity: 0.75 }}>{formatTime(last.time, host.locale)}</Text>
                          {!last.succeeded && last.message && <Text>{last.message}</Text>}
                        </FlexBox>
                      ) : (
                        <Text>Nothing delivered yet</Text>
                      )}
                    </TableCell>
                    <TableCell>
                      <Text>{hook.spec.events.map(words).join(', ')}</Text>
                    </TableCell>
                    <TableCell>
                      <FlexBox wrap="Wrap" style={{ gap: '0.25rem' }}>
                        <Button
                          icon="paper-plane"
                          disabled={!canChange || paused || state === 'Pending'}
                          tooltip={
                            why ?? (paused ? 'Resume it to send a test event' : 'Send a test event now')
                          }
                          accessibleName={`Send a test event to ${name}`}
                          onClick={() => act(test.mutateAsync(name), `Test event sent to ${name}`)}
                        >
                          Send test event
                        </Button>
                        <Button
                          icon={paused ? 'play' : 'pause'}
                          disabled={!canChange}
                          tooltip={why ?? (paused ? 'Deliver events again' : 'Stop deliveries for now')}
                          accessibleName={`${paused ? 'Resume' : 'Pause'} ${name}`}
                          onClick={() =>
                            act(
                              pause.mutateAsync({ name, enabled: paused }),
                              paused ? `${name} delivers again` : `${name} is paused`,
                            )
                          }
                        >
                          {paused ? 'Resume' : 'Pause'}
                        </Button>
                        <Button
                          icon="delete"
                          design="Transparent"
                          disabled={!canChange}
                          tooltip={why ?? 'Delete the webhook'}
                          accessibleName={`Delete ${name}`}
                          onClick={() => setDeleting(name)}
                        />
                      </FlexBox>
                    </TableCell>
                  </TableRow>
                );
              })}
            </Table>
          )
        }
      </QueryView>
      {creating && <WebhookWizard open={creating} onClose={() => setCreating(false)} />}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete webhook ${deleting ?? ''}`}
        confirmText="Delete"
        confirmDesign="Negative"
        onConfirm={async () => {
          if (!deleting) return;
          await remove.mutateAsync(deleting);
          tell(`Webhook ${deleting} deleted`);
        }}
        onClose={() => setDeleting(undefined)}
      >
        <Text>
          Nothing more is delivered to it. A signing key the console generated for it is deleted with it.
        </Text>
      </ConfirmDialog>
    </>
  );
}
