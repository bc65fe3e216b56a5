import { describe, expect, it } from 'vitest';
import { affectedBy, keychainKeys } from '../src/api/query-keys.js';

const WS = 'root:orgs:acme';

describe('what a change makes stale', () => {
  it('a key change reloads the key lists, that key and the views, not the Accounts', () => {
    expect(affectedBy(WS, 'ServiceEncryptionKey', 'payments')).toEqual([
      keychainKeys.overview(WS),
      keychainKeys.topology(WS),
      keychainKeys.keys(WS),
      keychainKeys.key(WS, 'payments'),
    ]);
  });

  it('an Account change reloads the Account list, that Account and the views', () => {
    expect(affectedBy(WS, 'Account', 'acme-root')).toEqual([
      keychainKeys.overview(WS),
      keychainKeys.topology(WS),
      keychainKeys.accounts(WS),
      keychainKeys.account(WS, 'acme-root'),
    ]);
  });

  it('a Tenant change reloads the status and the overview only; keys never cross workspaces', () => {
    expect(affectedBy(WS, 'Tenant', 'tenant-root-orgs-acme')).toEqual([
      keychainKeys.status(WS),
      keychainKeys.overview(WS),
    ]);
    expect(keychainKeys.keys(WS)).not.toEqual(keychainKeys.keys('root:orgs:globex'));
  });
});
