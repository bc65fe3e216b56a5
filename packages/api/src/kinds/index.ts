import { accountKind } from './account.js';
import { cryptoEdgeKind } from './crypto-edge.js';
import { serviceEncryptionKeyKind } from './service-encryption-key.js';
import { tenantKind } from './tenant.js';
import { webHookNotificationKind } from './webhook-notification.js';

/** Every kind of the API, in the order the CRDs are written. */
export const KINDS = [
  tenantKind,
  accountKind,
  serviceEncryptionKeyKind,
  webHookNotificationKind,
  cryptoEdgeKind,
] as const;

export type KindName = (typeof KINDS)[number]['kind'];
