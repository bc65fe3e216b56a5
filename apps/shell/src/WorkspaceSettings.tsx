import {
  Bar,
  Button,
  Card,
  CardHeader,
  Dialog,
  FlexBox,
  Input,
  Label,
  MessageStrip,
  ObjectStatus,
  Switch,
  Text,
  Title,
} from '@openkcm/ui-kit';
import { useCallback, useEffect, useState } from 'react';
import { callBff, type OpenkcmStatus } from './bff.js';

const PHASE_STATE = {
  Provisioning: 'None',
  Active: 'Positive',
  Suspended: 'Negative',
  Offboarding: 'Critical',
} as const;

/** FR-101: enabling OpenKCM binds the provider; the controller then provisions the Tenant. */
export function WorkspaceSettings({
  bffUrl,
  workspace,
  getToken,
}: {
  bffUrl: string;
  workspace: string;
  getToken: () => Promise<string>;
}) {
  const [status, setStatus] = useState<OpenkcmStatus>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmDisable, setConfirmDisable] = useState(false);
  const [offboarding, setOffboarding] = useState(false);
  const [typed, setTyped] = useState('');
  const path = `/workspaces/${workspace}/openkcm`;
  const refresh = useCallback(async () => {
    try {
      setStatus(await callBff<OpenkcmStatus>(bffUrl, await getToken(), 'GET', path));
    } catch (failure) {
      setError((failure as Error).message);
    }
  }, [bffUrl, getToken, path]);
  useEffect(() => {
    setStatus(undefined);
    setError(undefined);
    void refresh();
  }, [refresh]);
  const phase = status?.tenant?.status?.phase ?? (status?.enabled ? 'Provisioning' : undefined);
  // Deleted, but the controller has not yet said Offboarding: keep asking.
  const offboardRequested = Boolean(status?.tenant?.metadata?.deletionTimestamp) && phase !== 'Offboarding';
  // Until the Tenant settles, poll: the Key Chain's live stream is not open on this page.
  useEffect(() => {
    if (
      !status ||
      (status.enabled && !offboardRequested && (phase === 'Active' || phase === 'Offboarding')) ||
      (!status.enabled && phase !== 'Provisioning' && phase !== 'Active')
    )
      return;
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [status, phase, offboardRequested, refresh]);
  const change = async (enable: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await callBff(bffUrl, await getToken(), enable ? 'PUT' : 'DELETE', path);
      await refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const isAdmin = status?.role === 'Admin';
  const offboard = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await callBff(bffUrl, await getToken(), 'POST', `${path}/offboard`, { confirm: typed });
      setOffboarding(false);
      setTyped('');
      await refresh();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <FlexBox direction="Column" style={{ gap: '1rem', padding: '1rem', maxWidth: '48rem' }}>
      <Title level="H2">Workspace Settings</Title>
      <Text>{workspace}</Text>
      {error && (
        <MessageStrip design="Negative" hideCloseButton role="alert">
          {error}
        </MessageStrip>
      )}
      <Card header={<CardHeader titleText="Providers" subtitleText="Services available in this workspace" />}>
        <FlexBox direction="Column" style={{ gap: '0.5rem', padding: '0 1rem 1rem' }}>
          <FlexBox alignItems="Center" style={{ gap: '1rem' }}>
            <Label for="enable-openkcm">Enable OpenKCM (Key Chain Manager)</Label>
            <Switch
              id="enable-openkcm"
              accessibleName="Enable OpenKCM (Key Chain Manager)"
              checked={status?.enabled ?? false}
              disabled={!status || !isAdmin || busy}
              tooltip={status && !isAdmin ? 'Only workspace Admins can change providers' : undefined}
              onChange={(event) => {
                if (event.target.checked) void change(true);
                else {
                  event.target.checked = true;
                  setConfirmDisable(true);
                }
              }}
            />
            {phase && (
              <ObjectStatus
                state={PHASE_STATE[phase as keyof typeof PHASE_STATE] ?? 'None'}
                showDefaultIcon
                data-testid="settings-tenant-phase"
              >
                {phase}
              </ObjectStatus>
            )}
          </FlexBox>
          {status && !isAdmin && (
            <Text>You are a Viewer here: only workspace Admins can change providers.</Text>
          )}
          <Text>
            Creates your tenant's key chain: Accounts (roots of trust) and service keys, managed in the Key
            Chain tab.
          </Text>
          {phase === 'Offboarding' && (
            <MessageStrip design="Critical" hideCloseButton data-testid="settings-offboarding">
              Offboarding: every key is in its deletion waiting period and no longer decrypts. CMK destroys
              the keys and purges the tenant on{' '}
              {status?.tenant?.status?.purgeAfter ?? 'the end of the period'}.
            </MessageStrip>
          )}
        </FlexBox>
      </Card>
      {isAdmin && status?.tenant && !status.tenant.metadata?.deletionTimestamp && (
        <Card
          header={<CardHeader titleText="Leave OpenKCM" subtitleText="Offboard this workspace's tenant" />}
        >
          <FlexBox direction="Column" style={{ gap: '0.5rem', padding: '0 1rem 1rem' }}>
            <Text>
              Offboarding destroys every key of this workspace after the 7-day deletion waiting period and
              then purges the tenant. Disabling OpenKCM instead only suspends it.
            </Text>
            <FlexBox>
              <Button design="Negative" disabled={busy} onClick={() => setOffboarding(true)}>
                Offboard tenant…
              </Button>
            </FlexBox>
          </FlexBox>
        </Card>
      )}
      <Dialog
        open={offboarding}
        headerText="Offboard the tenant?"
        accessibleName="Offboard the tenant?"
        onClose={() => {
          setOffboarding(false);
          setTyped('');
        }}
        footer={
          <Bar
            endContent={
              <>
                <Button
                  design="Negative"
                  disabled={typed !== workspace || busy}
                  onClick={() => void offboard()}
                >
                  Offboard
                </Button>
                <Button
                  design="Transparent"
                  onClick={() => {
                    setOffboarding(false);
                    setTyped('');
                  }}
                >
                  Cancel
                </Button>
              </>
            }
          />
        }
      >
        <FlexBox direction="Column" style={{ gap: '0.5rem', maxWidth: '32rem' }}>
          <Text>
            Every key and Account of {workspace} enters its deletion waiting period now: nothing decrypts with
            them any more. When the period ends, CMK destroys them and purges the tenant. This cannot be
            undone after that.
          </Text>
          <Label for="offboard-confirm" required>
            Type {workspace} to confirm
          </Label>
          <Input
            id="offboard-confirm"
            accessibleName={`Type ${workspace} to confirm`}
            value={typed}
            onInput={(event) => setTyped(event.target.value)}
          />
        </FlexBox>
      </Dialog>
      <Dialog
        open={confirmDisable}
        headerText="Disable OpenKCM?"
        accessibleName="Disable OpenKCM?"
        onClose={() => setConfirmDisable(false)}
        footer={
          <Bar
            endContent={
              <>
                <Button
                  design="Negative"
                  onClick={() => {
                    setConfirmDisable(false);
                    void change(false);
                  }}
                >
                  Disable
                </Button>
                <Button design="Transparent" onClick={() => setConfirmDisable(false)}>
                  Cancel
                </Button>
              </>
            }
          />
        }
      >
        <Text>
          The tenant is suspended: its keys stop working until OpenKCM is enabled again. Nothing is deleted.
        </Text>
      </Dialog>
    </FlexBox>
  );
}
