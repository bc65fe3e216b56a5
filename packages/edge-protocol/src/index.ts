import { parse, type Static, Type } from '@openkcm/schema';

const KeyName = Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' });
const Revision = Type.Integer({ minimum: 0 });

/** What an edge needs to know about a key to decide: never the material itself. */
export const EdgeKeyState = Type.Object({
  name: KeyName,
  id: Type.String({ minLength: 1, maxLength: 64 }),
  state: Type.String({ maxLength: 32 }),
  currentVersion: Type.Integer({ minimum: 1 }),
  /** Versions below this are no longer usable (retention, destruction). */
  oldestUsableVersion: Type.Integer({ minimum: 1 }),
  allowedWorkloads: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 64 }),
});
export type EdgeKeyState = Static<typeof EdgeKeyState>;

/** `GET /edge/v1/keys/{name}[?version=n]`: one L3 version, only ever over the mTLS listener. */
export const KeyMaterialResponse = Type.Object({
  key: EdgeKeyState,
  tenantId: Type.String({ minLength: 1, maxLength: 64 }),
  version: Type.Integer({ minimum: 1 }),
  material: Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$', description: '32 bytes, base64' }),
});
export type KeyMaterialResponse = Static<typeof KeyMaterialResponse>;

/** `GET /edge/v1/changes?since=<revision>`: one JSON object per line, each of one of these types. */
export const EDGE_EVENTS = {
  hello: Type.Object({
    type: Type.Literal('hello'),
    revision: Revision,
    reset: Type.Boolean(),
    edge: Type.Object({ name: Type.String() }),
    tenant: Type.Object({ state: Type.String() }),
  }),
  key: Type.Object({
    type: Type.Literal('key'),
    revision: Revision,
    name: KeyName,
    /** null: the key no longer exists. */
    key: Type.Unsafe<EdgeKeyState | null>({ ...EdgeKeyState, nullable: true }),
  }),
  tenant: Type.Object({ type: Type.Literal('tenant'), revision: Revision, state: Type.String() }),
  synced: Type.Object({ type: Type.Literal('synced'), revision: Revision }),
  heartbeat: Type.Object({ type: Type.Literal('heartbeat'), revision: Revision, at: Type.String() }),
};
export type EdgeEvent = {
  [Type in keyof typeof EDGE_EVENTS]: Static<(typeof EDGE_EVENTS)[Type]>;
}[keyof typeof EDGE_EVENTS];

/** An event of the change stream, checked against its type's schema; throws on anything else. */
export function parseEdgeEvent(value: unknown): EdgeEvent {
  const type = (value as { type?: unknown } | null)?.type;
  const schema =
    typeof type === 'string' && Object.hasOwn(EDGE_EVENTS, type)
      ? EDGE_EVENTS[type as keyof typeof EDGE_EVENTS]
      : undefined;
  if (!schema) throw new Error(`unknown edge event type ${JSON.stringify(type)}`);
  return parse(schema, value) as EdgeEvent;
}

/** `POST /edge/v1/usage`: calls counted per key, workload and minute. */
export const UsageReport = Type.Object({
  items: Type.Array(
    Type.Object({
      key: KeyName,
      workload: Type.String({ minLength: 10, maxLength: 2048, pattern: '^spiffe://' }),
      minute: Type.String({ format: 'date-time', maxLength: 40 }),
      operations: Type.Object({
        encrypt: Type.Integer({ minimum: 0 }),
        decrypt: Type.Integer({ minimum: 0 }),
        datakey: Type.Integer({ minimum: 0 }),
        rewrap: Type.Integer({ minimum: 0 }),
      }),
      refused: Type.Integer({ minimum: 0 }),
    }),
    { maxItems: 1000 },
  ),
});
export type UsageReport = Static<typeof UsageReport>;
export type UsageRecord = UsageReport['items'][number];
export type Operation = keyof UsageRecord['operations'];
