import type { Principal } from '@openkcm/auth';
import { roleInWorkspace } from '@openkcm/auth';
import { type Static, type TSchema, Type } from '@openkcm/schema';
import type { KeyChainContext } from '../keychain/context.js';
import { CmkError } from '../keychain/errors.js';

export type Access = 'read' | 'write' | 'system' | 'authenticated';

export interface RouteContext {
  keychain: KeyChainContext;
  principal: Principal;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface Route<B extends TSchema | undefined = TSchema | undefined> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  summary: string;
  access: Access;
  body?: B;
  handle(
    context: RouteContext,
    body: B extends TSchema ? Static<B> : undefined,
  ): Promise<{ status: number; body: unknown }>;
}

export function route<B extends TSchema | undefined = undefined>(definition: Route<B>): Route<B> {
  return definition;
}

/** Admin manages, Viewer reads, the product's services manage every tenant; nobody reaches another tenant. */
export function authorize(principal: Principal, access: Access, tenant: string | undefined): void {
  if (access === 'authenticated' || principal.system) return;
  if (access === 'system')
    throw new CmkError('PERMISSION_DENIED', 'only the OpenKCM controller manages tenants');
  const role = tenant === undefined ? undefined : roleInWorkspace(principal.grants, tenant);
  if (!role)
    throw new CmkError('PERMISSION_DENIED', `${principal.username} has no role in workspace ${tenant}`);
  if (access === 'write' && role !== 'Admin')
    throw new CmkError(
      'PERMISSION_DENIED',
      `${principal.username} is a ${role} of ${tenant}: viewers cannot change keys`,
    );
}

export const Name = Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 });
/** The database keeps these as 32-bit integers. */
const INT32_MAX = 2_147_483_647;
const NullableInteger = (minimum: number, description: string) =>
  Type.Unsafe<number | null>({ type: 'integer', minimum, maximum: INT32_MAX, nullable: true, description });
export const Retention = Type.Object({
  keepVersions: Type.Optional(
    NullableInteger(1, 'Keep at most this many versions decryptable; null keeps all.'),
  ),
  maxAgeSeconds: Type.Optional(
    NullableInteger(3600, 'Keep versions younger than this decryptable; null keeps all.'),
  ),
});

/** A query parameter that must be a whole number in a range; absent means the default. */
export function integerQuery(
  query: URLSearchParams,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const raw = query.get(name);
  if (raw === null) return range.fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max)
    throw new CmkError(
      'INVALID_ARGUMENT',
      `query parameter ${name} must be a whole number from ${range.min} to ${range.max}`,
      { field: name },
    );
  return value;
}
