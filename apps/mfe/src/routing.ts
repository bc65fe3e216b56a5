import { useCallback, useEffect, useState } from 'react';

/**
 * The Key Chain's own places, kept in the URL's hash so each object has a link that works in every
 * host (the dev shell's path, a Luigi iframe) without the host knowing the Key Chain's routes.
 */
export type Screen =
  | 'overview'
  | 'accounts'
  | 'keys'
  | 'activity'
  | 'deletion'
  | 'notifications'
  | 'topology';
export const SCREENS: Screen[] = [
  'overview',
  'accounts',
  'keys',
  'activity',
  'deletion',
  'notifications',
  'topology',
];

export interface KeyChainRoute {
  screen: Screen;
  /** The object whose page is open (an Account on `accounts`, a key on `keys`). */
  name?: string;
  /** List filters (`status`, `account`, `q`, audit filters), as the list keeps them in its link. */
  params: Record<string, string>;
}

export function parseHash(hash: string): KeyChainRoute {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const [first, second] = path.split('/').filter(Boolean).map(decodeURIComponent);
  const screen = SCREENS.includes(first as Screen) ? (first as Screen) : 'overview';
  const objectPage = second !== undefined && (screen === 'accounts' || screen === 'keys');
  return {
    screen,
    ...(objectPage ? { name: second } : {}),
    params: Object.fromEntries(new URLSearchParams(search)),
  };
}

export function hrefOf(route: { screen: Screen; name?: string; params?: Record<string, string> }): string {
  const path = route.name ? `/${route.screen}/${encodeURIComponent(route.name)}` : `/${route.screen}`;
  const entries = Object.entries(route.params ?? {}).filter(([, value]) => value !== '');
  return `#${path}${entries.length > 0 ? `?${new URLSearchParams(entries)}` : ''}`;
}

/** The current route and a way to go elsewhere; back and forward work as in any page. */
export function useRoute(): [KeyChainRoute, (next: Parameters<typeof hrefOf>[0], replace?: boolean) => void] {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const navigate = useCallback((next: Parameters<typeof hrefOf>[0], replace = false) => {
    const href = hrefOf(next);
    if (replace) history.replaceState(history.state, '', href);
    else history.pushState(history.state, '', href);
    setRoute(parseHash(href));
  }, []);
  return [route, navigate];
}
