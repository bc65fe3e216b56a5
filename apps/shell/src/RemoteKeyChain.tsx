import { loadRemote, registerRemotes } from '@module-federation/enhanced/runtime';
import { BusyIndicator, Button, MessageStrip } from '@openkcm/ui-kit';
import { type ComponentType, useEffect, useState } from 'react';

/** What the remote's `./KeyChain` module exports (its own HostContext; the shell does not import the remote's code). */
export interface KeyChainContext {
  bffUrl: string;
  workspace: string;
  theme: 'light' | 'dark';
  locale: string;
  getToken(): Promise<string>;
}
type KeyChainComponent = ComponentType<{ context: KeyChainContext }>;

const REMOTE = 'openkcm_resource_mfe';
let registered: string | undefined;

/** Loads openkcm-resource-mfe from its URL at run time, as the Platform Mesh Console does. */
async function loadKeyChain(mfeUrl: string): Promise<KeyChainComponent> {
  if (registered !== mfeUrl) {
    registerRemotes([{ name: REMOTE, entry: `${mfeUrl}/remoteEntry.js` }], {
      force: true,
    });
    registered = mfeUrl;
  }
  const module = await loadRemote<{ KeyChain?: KeyChainComponent }>(`${REMOTE}/KeyChain`);
  if (!module?.KeyChain) throw new Error('the remote has no KeyChain export');
  return module.KeyChain;
}

export function RemoteKeyChain({ mfeUrl, context }: { mfeUrl: string; context: KeyChainContext }) {
  const [component, setComponent] = useState<{ KeyChain: KeyChainComponent }>();
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setError(undefined);
    // A retry registers the remote again, so a fixed remoteEntry.js is fetched anew.
    if (attempt > 0) registered = undefined;
    loadKeyChain(mfeUrl).then(
      (KeyChain) => current && setComponent({ KeyChain }),
      (failure: unknown) => current && setError((failure as Error).message),
    );
    return () => {
      current = false;
    };
  }, [mfeUrl, attempt]);
  if (error)
    return (
      <MessageStrip design="Negative" hideCloseButton role="alert">
        The Key Chain module could not be loaded from {mfeUrl}: {error}{' '}
        <Button design="Transparent" onClick={() => setAttempt((count) => count + 1)}>
          Try again
        </Button>
      </MessageStrip>
    );
  if (!component) return <BusyIndicator active delay={200} aria-label="Loading the Key Chain" />;
  return <component.KeyChain context={context} />;
}
