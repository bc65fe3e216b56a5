import { describe, expect, it } from 'vitest';
import { affectedBy, keychainKeys } from '../src/api/query-keys.js';

const WS = 'root:orgs:acme';

describe('what a change makes stale', () => {
  const views = (kind: string, name: string) => [
    { queryKey: keychainKeys.overview(WS), exact: true },
    { queryKey: keychainKeys.topology(WS), exact: true },
    { queryKey: keychainKeys.events(WS, kind, name), exact: true },
    { queryKey: keychainKeys.pendingDeletion(WS), exact: true },
    { queryKey: [...keychainKeys.all(WS), 'audit'], exact: false },
  ];

  it('a key change reloads the key lists, that key, its Events, the audit trail and the views, not the Accounts', () => {
    expect(affectedBy(WS, 'ServiceEncryptionKey', 'payments')).toEqual([
      ...views('ServiceEncryptionKey', 'payments'),
      { queryKey: keychainKeys.keys(WS), exact: true },
      { queryKey: keychainKeys.key(WS, 'payments'), exact: true },
    ]);
  });

  it('an Account change reloads the Account list, that Account and the views', () => {
    expect(affectedBy(WS, 'Account', 'acme-root')).toEqual([
      ...views('Account', 'acme-root'),
      { queryKey: keychainKeys.accounts(WS), exact: true },
      { queryKey: keychainKeys.account(WS, 'acme-root'), exact: true },
    ]);
  });

  it('a Tenant change reloads the status and the overview only; keys never cross workspaces', () => {
    expect(affectedBy(WS, 'Tenant', 'tenant-root-orgs-acme')).toEqual([
      { queryKey: keychainKeys.status(WS), exact: true },
      { queryKey: keychainKeys.overview(WS), exact: true },
    ]);
    expect(keychainKeys.keys(WS)).not.toEqual(keychainKeys.keys('root:orgs:globex'));
  });
});
