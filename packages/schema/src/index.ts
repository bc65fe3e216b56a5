// CONTRACT (implementation pending): structural JSON-schema validation shared by every boundary.
// See the brief in packages/schema/README.md.
export type { Static, TSchema } from '@sinclair/typebox';
export { Type } from '@sinclair/typebox';
