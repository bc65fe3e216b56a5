import { addContextUpdateListener, addInitListener, getToken, uxManager } from '@luigi-project/client';
import type { HostContext } from '../host-context.js';
import { type MountedKeyChain, mount } from '../mount.js';

/**
 * The entry the Platform Mesh Console (Luigi) loads in an iframe: token, workspace and theme come
 * from Luigi Client, the BFF URL from the context or from this server's /config.json.
 */
interface LuigiContext {
  kcpPath?: string;
  accountPath?: string;
  token?: string;
  openkcmBffUrl?: string;
}

function themeOf(luigiTheme: unknown): 'light' | 'dark' {
  const name =
    typeof luigiTheme === 'string' && luigiTheme
      ? luigiTheme
      : (new URLSearchParams(location.search).get('sap-theme') ?? '');
  return /dark|hcb/.test(name) ? 'dark' : 'light';
}

function workspaceOf(context: LuigiContext): string {
  // The Console names the kcp workspace `kcpPath`; account-scoped pages carry `accountPath`.
  return context.kcpPath ?? context.accountPath ?? '';
}

async function start(): Promise<void> {
  const config = (await fetch(new URL('config.json', document.baseURI)).then((response) =>
    response.json(),
  )) as { bffUrl?: string };
  const element = document.getElementById('root');
  if (!element) throw new Error('luigi.html has no #root element');
  let mounted: MountedKeyChain | undefined;
  let context: LuigiContext = {};
  const hostContext = (): HostContext => ({
    bffUrl: context.openkcmBffUrl ?? config.bffUrl ?? '',
    workspace: workspaceOf(context),
    theme: themeOf(uxManager().getCurrentTheme()),
    locale: uxManager().getCurrentLocale() || navigator.language || 'en-US',
    // Luigi renews the token and pushes it to the frame; read it at every call.
    getToken: async () => getToken() ?? context.token ?? '',
  });
  addInitListener((initial) => {
    context = initial as LuigiContext;
    mounted = mount(element, hostContext());
  });
  addContextUpdateListener((updated) => {
    context = updated as LuigiContext;
    mounted?.update(hostContext());
  });
}

start().catch((error: unknown) => {
  document.body.textContent = `The Key Chain could not start: ${(error as Error).message}`;
});
