import { isPlainObject, SchemaValidationError, validate } from '@openkcm/schema';
import type { Static, TSchema } from '@sinclair/typebox';
import type { ObjectMeta } from './common.js';
import { objectSchema } from './crd/to-crd.js';
import { API_VERSION } from './group.js';
import { accountKind } from './kinds/account.js';
import type { KindDefinition } from './kinds/kind-definition.js';
import { serviceEncryptionKeyKind } from './kinds/service-encryption-key.js';
import { tenantKind } from './kinds/tenant.js';
import { webHookNotificationKind } from './kinds/webhook-notification.js';

/** A typed object of one kind, as the API serves it. */
export interface Resource<K extends string, Spec extends TSchema, Status extends TSchema> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: Static<Spec>;
  status?: Static<Status>;
}

export type Tenant = Resource<'Tenant', typeof tenantKind.spec, typeof tenantKind.status>;
export type Account = Resource<'Account', typeof accountKind.spec, typeof accountKind.status>;
export type ServiceEncryptionKey = Resource<
  'ServiceEncryptionKey',
  typeof serviceEncryptionKeyKind.spec,
  typeof serviceEncryptionKeyKind.status
>;
export type WebHookNotification = Resource<
  'WebHookNotification',
  typeof webHookNotificationKind.spec,
  typeof webHookNotificationKind.status
>;

/**
 * Parses an object with the same schema the CRD gives the API server: defaults applied, unknown
 * fields dropped, or a SchemaValidationError naming each bad field.
 */
function parser<T>(definition: KindDefinition) {
  const schema = objectSchema(definition);
  return (input: unknown): T => {
    if (!isPlainObject(input)) {
      throw new SchemaValidationError([
        {
          reason: 'FieldValueTypeInvalid',
          field: '<root>',
          message: `a ${definition.kind} must be an object`,
        },
      ]);
    }
    const { metadata, ...body } = input;
    const result = validate(schema, { ...body, apiVersion: API_VERSION, kind: definition.kind });
    const causes = [...result.causes];
    if (metadata !== undefined && !isPlainObject(metadata)) {
      causes.push({ reason: 'FieldValueTypeInvalid', field: 'metadata', message: 'must be an object' });
    }
    if (causes.length > 0) throw new SchemaValidationError(causes);
    return { ...(result.value as object), metadata: (metadata ?? {}) as ObjectMeta } as T;
  };
}

export const parseTenant = parser<Tenant>(tenantKind);
export const parseAccount = parser<Account>(accountKind);
export const parseServiceEncryptionKey = parser<ServiceEncryptionKey>(serviceEncryptionKeyKind);
export const parseWebHookNotification = parser<WebHookNotification>(webHookNotificationKind);
