import { type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/** A string enum as Kubernetes wants it (`type: string` + `enum`), not TypeBox's `anyOf` of literals. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const REGION = '^[a-z]{2,}(-[a-z0-9]+)*$';
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;

export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

/** A reference to another object of this API in the same namespace. */
export const LocalObjectReference = (description: string) =>
  Type.Object(
    {
      name: Type.String({
        pattern: DNS1123_LABEL,
        maxLength: 63,
        description: 'Name of the referenced object.',
      }),
    },
    { description },
  );

const KeyReference = (kind: 'Secret' | 'ConfigMap', description: string, title?: string) =>
  Type.Object(
    {
      name: Type.String({
        pattern: DNS1123_SUBDOMAIN,
        maxLength: 253,
        title: `${kind} name`,
        description: `Name of the ${kind} in the same namespace.`,
      }),
      key: Type.String({
        pattern: '^[-._a-zA-Z0-9]+$',
        maxLength: 253,
        title: `${kind} key`,
        description: `Key within the ${kind}.`,
      }),
    },
    { description, ...(title ? { title } : {}) },
  );

/** Credentials are only ever referenced, never inline. */
export const SecretKeyRef = (description: string, title?: string) =>
  KeyReference('Secret', description, title);
/** CA bundles are only ever referenced, from a ConfigMap. */
export const ConfigMapKeyRef = (description: string, title?: string) =>
  KeyReference('ConfigMap', description, title);

export type Schema = TSchema;
