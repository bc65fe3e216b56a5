import {
  Bar,
  Button,
  Card,
  CardHeader,
  Dialog,
  FlexBox,
  Label,
  MessageStrip,
  ObjectStatus,
  Switch,
  Text,
  Title,
} from '@openkcm/ui-kit';
import { useCallback, useEffect, useState } from 'react';
import { callBff, type OpenkcmStatus } from './bff.js';

const PHASE_STATE = { Provisioning: 'None', Active: 'Positive', Suspended: 'Negative' } as const;

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
  // Until the Tenant settles, poll: the Key Chain's live stream is not open on this page.
  useEffect(() => {
    if (
      !status ||
      (status.enabled && phase === 'Active') ||
      (!status.enabled && phase !== 'Provisioning' && phase !== 'Active')
    )
      return;
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [status, phase, refresh]);
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
        </FlexBox>
      </Card>
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
