import { Type } from '@openkcm/schema';
import { CmkError } from '../keychain/errors.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { checkResolution, EgressRefusedError } from '../webhooks/egress.js';
import {
  declarationProblems,
  declareWebhook,
  forgetWebhook,
  listWebhooks,
  requestTestDelivery,
  toWebhook,
  webhookChanges,
  webhookRow,
} from '../webhooks/webhooks.js';
import { integerQuery, type Route, route } from './routes.js';

const W = '/api/v1/tenants/:tenant/webhooks/:namespace/:name';

/** Tenant webhooks (FR-5.2): declared by the controller from WebHookNotification objects, delivered by CMK. */
export function webhookRoutes(dispatcher: WebhookDispatcher): Route[] {
  return [
    route({
      method: 'PUT',
      path: W,
      summary:
        'Declare a tenant webhook (idempotent). A declaration with problems is refused with each problem, and nothing is delivered to it.',
      access: 'system',
      body: Type.Object({
        generation: Type.Integer({ minimum: 0 }),
        url: Type.String({ minLength: 1, maxLength: 2048 }),
        events: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 32 }),
        enabled: Type.Boolean(),
        signingSecret: Type.String({ minLength: 1, maxLength: 256 }),
      }),
      async handle(context, body) {
        const { tenant = '', namespace = '', name = '' } = context.params;
        const problems = declarationProblems(body, dispatcher.policy.rules);
        if (problems.length === 0)
          await checkResolution(new URL(body.url), dispatcher.policy.rules).catch((error: unknown) => {
            if (!(error instanceof EgressRefusedError)) throw error;
            problems.push({ field: 'spec.url', reason: 'URLRefused', message: error.message });
          });
        if (problems.length > 0) {
          const forgotten = await forgetWebhook(context.keychain.db, tenant, namespace, name);
          if (forgotten) dispatcher.forgotten(forgotten);
          throw new CmkError(
            'INVALID_ARGUMENT',
            problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
            {
              problems,
            },
          );
        }
        const { row, changed } = await context.keychain.db.transaction((sql) =>
          declareWebhook(sql, tenant, namespace, name, body),
        );
        if (changed) {
          dispatcher.declared(row.id, row.tenant_id);
          dispatcher.changed();
        }
        return { status: 200, body: toWebhook(row) };
      },
    }),
    route({
      method: 'DELETE',
      path: W,
      summary: 'Forget a tenant webhook; nothing more is delivered to it',
      access: 'system',
      async handle(context) {
        const { tenant = '', namespace = '', name = '' } = context.params;
        const forgotten = await forgetWebhook(context.keychain.db, tenant, namespace, name);
        if (forgotten) dispatcher.forgotten(forgotten);
        return { status: 204, body: undefined };
      },
    }),
    route({
      method: 'GET',
      path: W,
      summary: 'Read a tenant webhook with its delivery state (never its signing secret)',
      access: 'read',
      handle: async (context) => {
        const { tenant = '', namespace = '', name = '' } = context.params;
        return {
          status: 200,
          body: toWebhook(await webhookRow(context.keychain.db, tenant, namespace, name)),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/tenants/:tenant/webhooks',
      summary: "List a tenant's webhooks with their delivery state",
      access: 'read',
      handle: async (context) => ({
        status: 200,
        body: { items: await listWebhooks(context.keychain.db, context.params.tenant ?? '') },
      }),
    }),
    route({
      method: 'POST',
      path: `${W}/test`,
      summary: 'Send a test event to this webhook (type "Test"), whatever events it subscribes to',
      access: 'write',
      async handle(context) {
        const { tenant = '', namespace = '', name = '' } = context.params;
        const row = await context.keychain.db.transaction((sql) =>
          requestTestDelivery(sql, tenant, namespace, name, { name: context.principal.username }),
        );
        return { status: 202, body: toWebhook(row) };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/webhook-changes',
      summary:
        'The webhooks whose delivery state changed after revision `after`; waits up to `waitSeconds` for one (the controller mirrors them into status)',
      access: 'system',
      async handle(context) {
        const after = integerQuery(context.query, 'after', {
          min: 0,
          max: Number.MAX_SAFE_INTEGER,
          fallback: 0,
        });
        const wait = integerQuery(context.query, 'waitSeconds', { min: 0, max: 60, fallback: 0 });
        let items = await webhookChanges(context.keychain.db, after, 500);
        if (items.length === 0 && wait > 0) {
          await dispatcher.nextChange(wait * 1000);
          items = await webhookChanges(context.keychain.db, after, 500);
        }
        return { status: 200, body: { items, revision: items.at(-1)?.revision ?? after } };
      },
    }),
  ];
}
