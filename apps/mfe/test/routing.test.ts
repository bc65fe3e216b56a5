import { describe, expect, it } from 'vitest';
import { words } from '../src/format.js';
import { countText } from '../src/i18n/messages.js';
import { hrefOf, parseHash, type Screen } from '../src/routing.js';

describe('Key Chain links', () => {
  it('gives every object page and filtered list a link that reads back the same', () => {
    const routes: Array<{ screen: Screen; name?: string; params: Record<string, string> }> = [
      { screen: 'keys', name: 'orders v2/é', params: {} },
      { screen: 'accounts', name: 'acme-root', params: {} },
      { screen: 'keys', params: { status: 'NotReady', q: 'ord' } },
      { screen: 'activity', params: { subject: 'orders', action: 'key.' } },
    ];
    for (const route of routes) expect(parseHash(hrefOf(route))).toEqual(route);
  });

  it('opens the overview for links it does not know, and no object page on screens without one', () => {
    expect(parseHash('#/nowhere/x')).toEqual({ screen: 'overview', params: {} });
    expect(parseHash('')).toEqual({ screen: 'overview', params: {} });
    expect(parseHash('#/activity/x')).toEqual({ screen: 'activity', params: {} });
  });
});

describe('texts with numbers', () => {
  it('uses the plural form of the locale and its number format', () => {
    expect(countText('en-US', 'keys', 1)).toBe('1 key');
    expect(countText('en-US', 'keys', 1200)).toBe('1,200 keys');
    expect(countText('de-DE', 'versions', 1)).toBe('1 Version');
    expect(countText('de-DE', 'versions', 1200)).toBe('1.200 Versionen');
    expect(countText('fr-FR', 'accounts', 0)).toBe('0 Accounts');
  });
});

describe('states in words', () => {
  it('reads condition reasons and CMK states as words, not identifiers', () => {
    expect(words('L1KeyNotUsable')).toBe('L1 key not usable');
    expect(words('WaitingForController')).toBe('Waiting for controller');
    expect(words('PENDING_DELETION')).toBe('pending deletion');
    expect(words('Active')).toBe('Active');
  });
});
