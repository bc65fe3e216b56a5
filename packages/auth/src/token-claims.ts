import { type Static, Type } from '@sinclair/typebox';

/** The part of a Keycloak-shaped access token that the product relies on. */
export const AccessTokenClaims = Type.Object({
  iss: Type.String({ minLength: 1, maxLength: 2048 }),
  sub: Type.String({ minLength: 1, maxLength: 255 }),
  azp: Type.Optional(Type.String({ maxLength: 255 })),
  aud: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 255 }),
      Type.Array(Type.String({ maxLength: 255 }), { maxItems: 32 }),
    ]),
  ),
  preferred_username: Type.Optional(Type.String({ maxLength: 255 })),
  realm_access: Type.Optional(
    Type.Object({ roles: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000, default: [] }) }),
  ),
  groups: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 })),
});
export type AccessTokenClaims = Static<typeof AccessTokenClaims>;
