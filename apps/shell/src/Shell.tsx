import {
  applyTheme,
  BusyIndicator,
  Button,
  FlexBox,
  Label,
  MessageStrip,
  Option,
  Select,
  ShellBar,
  ShellBarItem,
  SideNavigation,
  SideNavigationItem,
  ThemeProvider,
  UserMenu,
  UserMenuAccount,
  UserMenuItem,
} from '@openkcm/ui-kit';
import type { User, UserManager } from 'oidc-client-ts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { callBff, type MeResponse } from './bff.js';
import type { ShellConfig } from './config.js';
import { initialTheme, saveTheme, saveWorkspace, startWorkspace, type Theme } from './preferences.js';
import { RemoteKeyChain } from './RemoteKeyChain.js';
import { type Page, parseRoute, routePath } from './routes.js';
import { WorkspaceSettings } from './WorkspaceSettings.js';

/** Below a laptop's width the navigation folds away behind a menu button. */
function useNarrow(): boolean {
  const query = '(max-width: 1023px)';
  const [narrow, setNarrow] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const changed = () => setNarrow(list.matches);
    list.addEventListener('change', changed);
    return () => list.removeEventListener('change', changed);
  }, []);
  return narrow;
}

export function Shell({
  config,
  manager,
  initialUser,
}: {
  config: ShellConfig;
  manager: UserManager;
  initialUser: User;
}) {
  const [user, setUser] = useState(initialUser);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  const [me, setMe] = useState<MeResponse>();
  const [error, setError] = useState<string>();
  const [menuOpener, setMenuOpener] = useState<HTMLElement>();
  const narrow = useNarrow();
  const [navigationOpen, setNavigationOpen] = useState(false);
  const userRef = useRef(user);
  userRef.current = user;

  // The remote asks for the token before each call; a silent renewal is picked up at once.
  const getToken = useCallback(async () => {
    const current = userRef.current;
    if (current.expired) {
      const renewed = await manager.signinSilent().catch(() => null);
      if (renewed) return renewed.access_token;
      await manager.signinRedirect({ state: location.pathname });
    }
    return userRef.current.access_token;
  }, [manager]);

  useEffect(() => {
    const loaded = (renewed: User) => setUser(renewed);
    manager.events.addUserLoaded(loaded);
    return () => manager.events.removeUserLoaded(loaded);
  }, [manager]);
  useEffect(() => {
    const popped = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', popped);
    return () => removeEventListener('popstate', popped);
  }, []);
  useEffect(() => {
    callBff<MeResponse>(config.bffUrl, user.access_token, 'GET', '/me').then(setMe, (failure: unknown) =>
      setError((failure as Error).message),
    );
  }, [config.bffUrl, user.access_token]);
  useEffect(() => {
    void applyTheme(theme);
    saveTheme(theme);
  }, [theme]);

  const username = String(user.profile.preferred_username ?? user.profile.sub);
  const workspace =
    route.workspace ??
    (me
      ? startWorkspace(
          username,
          me.workspaces.map((entry) => entry.path),
        )
      : undefined);
  const role = me?.workspaces.find((entry) => entry.path === workspace)?.role;
  const navigate = (next: { workspace: string; page: Page }) => {
    history.pushState(null, '', routePath(next));
    setRoute(next);
    setNavigationOpen(false);
  };
  useEffect(() => {
    if (workspace && me?.workspaces.some((entry) => entry.path === workspace))
      saveWorkspace(username, workspace);
  }, [username, workspace, me]);
  useEffect(() => {
    if (!route.workspace && workspace)
      history.replaceState(null, '', routePath({ workspace, page: route.page }));
  }, [route.workspace, route.page, workspace]);

  const context = useMemo(
    () => ({
      bffUrl: config.bffUrl,
      workspace: workspace ?? '',
      theme,
      locale: navigator.language || 'en-US',
      getToken,
    }),
    [config.bffUrl, workspace, theme, getToken],
  );
  const showNavigation = !narrow || navigationOpen;

  return (
    <ThemeProvider>
      <ShellBar
        primaryTitle="Platform Mesh"
        secondaryTitle="dev shell"
        profile={<span>{username.slice(0, 2).toUpperCase()}</span>}
        onProfileClick={(event) => setMenuOpener(event.detail.targetRef)}
        accessibilityAttributes={{
          logo: { name: 'Platform Mesh dev shell' },
          profile: { name: `User menu of ${username}` },
        }}
        startButton={
          narrow ? (
            <Button
              icon="menu2"
              design="Transparent"
              accessibleName={navigationOpen ? 'Hide navigation' : 'Show navigation'}
              onClick={() => setNavigationOpen((open) => !open)}
            />
          ) : undefined
        }
      >
        <ShellBarItem
          icon={theme === 'dark' ? 'light-mode' : 'dark-mode'}
          text={theme === 'dark' ? 'Light theme' : 'Dark theme'}
          onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          data-testid="theme-toggle"
        />
      </ShellBar>
      <UserMenu
        open={menuOpener !== undefined}
        opener={menuOpener}
        onClose={() => setMenuOpener(undefined)}
        onSignOutClick={() => void manager.signoutRedirect()}
        onItemClick={(event) => {
          if (event.detail.item.dataset.action === 'theme') setTheme(theme === 'dark' ? 'light' : 'dark');
        }}
        accounts={
          <UserMenuAccount
            titleText={username}
            subtitleText={workspace ? `${role ?? 'No role'} in ${workspace}` : 'No workspace'}
            description={me ? me.workspaces.map((entry) => `${entry.role} in ${entry.path}`).join(' · ') : ''}
            avatarInitials={username.slice(0, 2).toUpperCase()}
            selected
          />
        }
      >
        <UserMenuItem
          icon={theme === 'dark' ? 'light-mode' : 'dark-mode'}
          text={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
          data-action="theme"
        />
      </UserMenu>
      <FlexBox style={{ minHeight: 'calc(100vh - 3.25rem)', position: 'relative' }}>
        <nav
          aria-label="Workspace navigation"
          hidden={!showNavigation}
          style={{
            borderRight: '1px solid var(--sapGroup_TitleBorderColor)',
            background: 'var(--sapBackgroundColor)',
            // On a narrow screen the navigation is a drawer over the content, not a column beside it.
            ...(narrow
              ? {
                  position: 'absolute',
                  inset: '0 auto 0 0',
                  zIndex: 10,
                  boxShadow: 'var(--sapContent_Shadow2)',
                }
              : {}),
          }}
        >
          <FlexBox direction="Column" style={{ padding: '0.5rem', gap: '0.25rem', width: '16rem' }}>
            <Label for="workspace-picker" showColon>
              Workspace
            </Label>
            {me ? (
              <Select
                id="workspace-picker"
                accessibleName="Workspace"
                data-testid="workspace-picker"
                onChange={(event) =>
                  navigate({
                    workspace: (event.detail.selectedOption as HTMLElement & { value?: string }).value ?? '',
                    page: route.page,
                  })
                }
              >
                {me.workspaces.map((entry) => (
                  <Option
                    key={entry.path}
                    value={entry.path}
                    selected={entry.path === workspace}
                    additionalText={entry.role}
                  >
                    {entry.path}
                  </Option>
                ))}
              </Select>
            ) : (
              <BusyIndicator active size="S" aria-label="Loading your workspaces" />
            )}
          </FlexBox>
          {workspace && (
            <SideNavigation
              accessibleName="Pages"
              onSelectionChange={(event) =>
                navigate({
                  workspace,
                  page: (event.detail.item.dataset.page as Page | undefined) ?? 'keychain',
                })
              }
              style={{ height: 'auto', width: '16rem' }}
            >
              <SideNavigationItem
                text="Key Chain"
                icon="key"
                selected={route.page === 'keychain'}
                data-page="keychain"
              />
              <SideNavigationItem
                text="Workspace Settings"
                icon="action-settings"
                selected={route.page === 'settings'}
                data-page="settings"
              />
            </SideNavigation>
          )}
        </nav>
        <main style={{ flex: 1, minWidth: 0, background: 'var(--sapBackgroundColor)' }}>
          {error && (
            <MessageStrip design="Negative" hideCloseButton role="alert">
              {error}
            </MessageStrip>
          )}
          {me && me.workspaces.length === 0 && (
            <MessageStrip design="Information" hideCloseButton>
              Your account has no workspace yet. Ask an administrator to add you to one.
            </MessageStrip>
          )}
          {workspace && route.page === 'settings' && (
            <WorkspaceSettings bffUrl={config.bffUrl} workspace={workspace} getToken={getToken} />
          )}
          {workspace && route.page === 'keychain' && (
            <RemoteKeyChain mfeUrl={config.mfeUrl} context={context} />
          )}
        </main>
      </FlexBox>
    </ThemeProvider>
  );
}
