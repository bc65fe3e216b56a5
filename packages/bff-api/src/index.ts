import { type Static, Type } from '@sinclair/typebox';

// The bodies the BFF accepts: the BFF validates with these, its OpenAPI document is made from
// them, and the microfrontend's forms use the same definitions.

const NAME = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
export const AccountBody = Type.Object({
  name: NAME,
  providerType: Type.String({ maxLength: 32 }),
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  region: Type.Optional(Type.String({ maxLength: 64 })),
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});
export const AccountPatch = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 256 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
  region: Type.Optional(Type.String({ maxLength: 64 })),
});
export const RekeyBody = Type.Object({
  keyReference: Type.String({ minLength: 1, maxLength: 2048 }),
  confirm: Type.String({ maxLength: 63, description: 'The Account name, typed to confirm' }),
});
export const KeyBody = Type.Object({
  name: NAME,
  accountRef: Type.Object({ name: NAME }),
  rotationSchedule: Type.Optional(Type.String({ maxLength: 16 })),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});
export const KeyPatch = Type.Object({
  rotationSchedule: Type.Optional(Type.String({ maxLength: 16 })),
  state: Type.Optional(
    Type.Unsafe<'Enabled' | 'Disabled'>({ type: 'string', enum: ['Enabled', 'Disabled'] }),
  ),
  description: Type.Optional(Type.String({ maxLength: 1024 })),
});

export type AccountBody = Static<typeof AccountBody>;
export type AccountPatch = Static<typeof AccountPatch>;
export type RekeyBody = Static<typeof RekeyBody>;
export type KeyBody = Static<typeof KeyBody>;
export type KeyPatch = Static<typeof KeyPatch>;

/** Every error of the BFF has this shape. */
export interface ApiErrorBody {
  code: string;
  message: string;
  status: number;
  requestID: string;
  details: Record<string, unknown>;
}
