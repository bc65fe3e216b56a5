import {
  applyTheme,
  Bar,
  FlexBox,
  MessageStrip,
  Tab,
  TabContainer,
  ThemeProvider,
  Title,
} from '@openkcm/ui-kit';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createRequest } from './api/client.js';
import { KeyChainEnvironmentContext, useStatus } from './api/hooks.js';
import { type LiveState, useLiveUpdates } from './api/live-updates.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { HierarchyHelp } from './components/HierarchyHelp.js';
import { NotifyProvider } from './components/notify.js';
import { Empty, LoadError, Loading } from './components/states.js';
import { PhaseStatus } from './components/status.js';
import type { HostContext } from './host-context.js';
import { usePermission } from './permissions.js';
import { type Screen, useRoute } from './routing.js';
import { AccountPage } from './screens/AccountPage.js';
import { Accounts } from './screens/Accounts.js';
import { Activity } from './screens/Activity.js';
import { KeyPage } from './screens/KeyPage.js';
import { Keys } from './screens/Keys.js';
import { Notifications } from './screens/Notifications.js';
import { Overview } from './screens/Overview.js';
import { PendingDeletion } from './screens/PendingDeletion.js';

// The graph library is only fetched when someone opens the topology.
const Topology = lazy(() => import('./screens/Topology.js'));

const TABS: Array<{ id: Screen; text: string; icon: string }> = [
  { id: 'overview', text: 'Overview', icon: 'business-objects-experience' },
  { id: 'accounts', text: 'Accounts', icon: 'chain-link' },
  { id: 'keys', text: 'Service keys', icon: 'key' },
  { id: 'activity', text: 'Activity', icon: 'activities' },
  { id: 'deletion', text: 'Pending deletion', icon: 'delete' },
  { id: 'notifications', text: 'Notifications', icon: 'bell' },
  { id: 'topology', text: 'Topology', icon: 'org-chart' },
];

const LIVE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function Screens() {
  const [route, navigate] = useRoute();
  const tab = route.screen;
  // List filters go into the link without a history entry per keystroke.
  const setParams = (params: Record<string, string>) =>
    navigate(
      {
        screen: route.screen,
        params: Object.fromEntries(Object.entries(params).filter(([, value]) => value)),
      },
      true,
    );
  // Each list keeps its search and filters while the user looks elsewhere, as a list report does.
  const lastParams = useRef<Partial<Record<Screen, Record<string, string>>>>({});
  if (!route.name) lastParams.current[route.screen] = route.params;
  const back = () => navigate({ screen: route.screen, params: lastParams.current[route.screen] ?? {} });
  const screenView = (screen: Screen) => {
    switch (screen) {
      case 'overview':
        return <Overview />;
      case 'accounts':
        return route.name ? (
          <AccountPage name={route.name} back={back} />
        ) : (
          <Accounts params={route.params} setParams={setParams} />
        );
      case 'keys':
        return route.name ? (
          <KeyPage name={route.name} back={back} />
        ) : (
          <Keys params={route.params} setParams={setParams} />
        );
      case 'activity':
        return <Activity params={route.params} setParams={setParams} />;
      case 'deletion':
        return <PendingDeletion />;
      case 'notifications':
        return <Notifications />;
      case 'topology':
        return (
          <Suspense fallback={<Loading what="the topology" />}>
            <Topology
              showAccountKeys={(account) => navigate({ screen: 'keys', params: { account } })}
              openKey={(name) => navigate({ screen: 'keys', name })}
            />
          </Suspense>
        );
    }
  };
  const status = useStatus();
  const live = useLiveUpdates();
  const { canChange, why } = usePermission();
  if (status.isPending) return <Loading what="the Key Chain" />;
  if (!status.data) {
    const forbidden = status.error instanceof ApiError && status.error.status === 403;
    return forbidden ? (
      <Empty title="You cannot see this workspace">
        Your account has no role in this workspace. Ask one of its Admins for access, or pick another
        workspace.
      </Empty>
    ) : (
      <LoadError what="the Key Chain" error={status.error} retry={() => void status.refetch()} />
    );
  }
  if (!status.data.enabled)
    return (
      <Empty title="OpenKCM is not enabled in this workspace">
        Turn on "Enable OpenKCM (Key Chain Manager)" in the Workspace Settings; the Key Chain appears here as
        soon as the Tenant is provisioned.
      </Empty>
    );
  const phase = status.data.tenant?.status?.phase ?? 'Provisioning';
  return (
    <FlexBox direction="Column" style={{ gap: '0.5rem' }}>
      <Bar
        startContent={
          <FlexBox alignItems="Center" style={{ gap: '0.75rem' }}>
            <Title level="H2">Key Chain</Title>
            <span data-testid="provider-status">
              <PhaseStatus phase={phase} />
            </span>
          </FlexBox>
        }
        endContent={
          <>
            <HierarchyHelp />
            <span aria-live="polite" data-testid="live-state">
              {live === 'live' ? <PhaseStatus phase="Live" /> : LIVE_TEXT[live]}
            </span>
          </>
        }
      />
      {!canChange && why && (
        <MessageStrip design="Information" hideCloseButton data-testid="read-only">
          {why}
        </MessageStrip>
      )}
      {phase === 'Suspended' && (
        <MessageStrip design="Negative" hideCloseButton>
          This tenant is suspended: its keys cannot be used. Enable OpenKCM again in the Workspace Settings to
          resume it.
        </MessageStrip>
      )}
      <TabContainer
        tabLayout="Inline"
        contentBackgroundDesign="Transparent"
        onTabSelect={(event) => {
          // Object pages have tabs of their own; their selections bubble up here and are not ours.
          if (event.target !== event.currentTarget) return;
          const screen = (event.detail.tab.dataset.tab as Screen | undefined) ?? 'overview';
          navigate({ screen, params: lastParams.current[screen] ?? {} });
        }}
      >
        {TABS.map((entry) => (
          <Tab
            key={entry.id}
            text={entry.text}
            icon={entry.icon}
            selected={tab === entry.id}
            data-tab={entry.id}
          >
            <ErrorBoundary resetKey={`${tab}/${route.name ?? ''}`}>
              {tab === entry.id && screenView(entry.id)}
            </ErrorBoundary>
          </Tab>
        ))}
      </TabContainer>
    </FlexBox>
  );
}

/** The Key Chain tab as a React component; the host passes its context and re-renders on changes. */
export function KeyChain({ context }: { context: HostContext }) {
  // The token getter is read at call time, so a host handing a new function does not restart streams.
  const latest = useRef(context);
  latest.current = context;
  const getToken = useMemo(() => () => latest.current.getToken(), []);
  const host = useMemo(
    () => ({
      bffUrl: context.bffUrl,
      workspace: context.workspace,
      theme: context.theme,
      locale: context.locale,
      getToken,
    }),
    [context.bffUrl, context.workspace, context.theme, context.locale, getToken],
  );
  const request = useMemo(() => createRequest(() => latest.current), []);
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 30_000,
            retry: (failures, error) =>
              failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
          },
        },
      }),
  );
  useEffect(() => {
    void applyTheme(context.theme);
  }, [context.theme]);
  return (
    <ThemeProvider>
      <QueryClientProvider client={client}>
        <KeyChainEnvironmentContext.Provider value={{ host, request }}>
          <div
            lang={context.locale}
            style={{
              padding: '0.5rem 1rem',
              fontFamily: 'var(--sapFontFamily)',
              color: 'var(--sapTextColor)',
            }}
          >
            <NotifyProvider>
              <Screens key={context.workspace} />
            </NotifyProvider>
          </div>
        </KeyChainEnvironmentContext.Provider>
      </QueryClientProvider>
    </ThemeProvider>
  );
}
