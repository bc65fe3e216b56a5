import type { KeystoreProvider, SystemInformationService } from '@openkcm/plugin-sdk';
import type { Alerts } from '../alerts/alerts.js';
import type { Database } from '../storage/database.js';
import type { EdgeFeed } from './edge-feed.js';
import type { RootCache } from './root-cache.js';

/** Who asked for a change, as recorded in the audit trail. */
export interface Actor {
  name: string;
  /** The product service that acts for `name` (the controller applying a user's rotate-now). */
  via?: string;
}

/** What the key chain operations share: storage, the profile's plugins, the clock and the policies. */
export interface KeyChainContext {
  db: Database;
  keystores: ReadonlyMap<string, KeystoreProvider>;
  systemInformation: SystemInformationService | undefined;
  /** What operators are alerted to (FR-5.1); tenants hear of changes through their webhooks. */
  alerts: Alerts;
  roots: RootCache;
  /** Wakes connected Crypto Edges when a change for their tenant commits. */
  edgeFeed: EdgeFeed;
  now: () => Date;
  /** How long deleted material waits before it is destroyed (7 days by default, like cloud KMSs). */
  destructionWindowSeconds: number;
}

export function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
