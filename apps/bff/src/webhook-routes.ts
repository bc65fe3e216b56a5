import { randomBytes } from 'node:crypto';
import { API_VERSION } from '@openkcm/api';
import { WebhookBody, type WebhookCreated, WebhookPatch } from '@openkcm/bff-api';
import { KubeError, type KubeObject } from '@openkcm/kube-client';
import { ApiError } from './errors.js';
import { cmkOk, items, NAMESPACE, optional, path, type RouteContext, route, W } from './route-kit.js';

const PLURAL = 'webhooknotifications';
/** Marks a signing Secret the console generated for a webhook: it goes when the webhook goes. */
const GENERATED_FOR = 'keychain.openkcm.io/generated-for-webhook';
const SIGNING_KEY = 'secret';

const secretPath = (context: RouteContext, name?: string) =>
  `/clusters/${context.workspace}/api/v1/namespaces/${NAMESPACE}/secrets${name ? `/${encodeURIComponent(name)}` : ''}`;

/** A Standard Webhooks signing key: `whsec_` and 32 random bytes in base64. */
function newSigningKey(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Tenant webhooks (FR-5.2) as WebHookNotification objects, with the caller's own token. */
export const WEBHOOK_ROUTES = [
  route({
    method: 'get',
    path: `${W}/webhooks`,
    summary: 'List the WebHookNotifications of the workspace, with their delivery status',
    handle: async (context) => ({ items: await items(context, PLURAL) }),
  }),
  route({
    method: 'get',
    path: `${W}/webhooks/:name`,
    summary: 'Read a WebHookNotification',
    handle: (context) => context.kube.get(path(context, PLURAL, context.params.name)),
  }),
  route({
    method: 'post',
    path: `${W}/webhooks`,
    summary:
      'Create a webhook: with { generate: true } the signing key is generated into a new Secret and answered this once; otherwise an existing Secret key is named',
    body: WebhookBody,
    status: 201,
    async handle(context, { name, url, events, signingSecret }): Promise<WebhookCreated> {
      let generated: { name: string; key: string; value: string } | undefined;
      let reference: { name: string; key: string };
      if ('generate' in signingSecret) {
        generated = { name: `${name}-signing`, key: SIGNING_KEY, value: newSigningKey() };
        await context.kube
          .request('POST', secretPath(context), {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: { name: generated.name, annotations: { [GENERATED_FOR]: name } },
            data: { [SIGNING_KEY]: Buffer.from(generated.value).toString('base64') },
          })
          .catch((error: unknown) => {
            if (error instanceof KubeError && error.status === 409)
              throw new ApiError(
                409,
                'SECRET_EXISTS',
                `a Secret named "${name}-signing" already exists; choose it as the signing Secret, or another webhook name`,
                { field: 'name' },
              );
            throw error;
          });
        reference = { name: generated.name, key: generated.key };
      } else reference = signingSecret;
      let webhook: KubeObject;
      try {
        webhook = await context.kube.request('POST', path(context, PLURAL), {
          apiVersion: API_VERSION,
          kind: 'WebHookNotification',
          metadata: { name },
          spec: { url, events, signingSecretRef: reference, enabled: true },
        });
      } catch (error) {
        // Nothing is left behind by a create that failed.
        if (generated)
          await context.kube.request('DELETE', secretPath(context, generated.name)).catch(() => undefined);
        throw error;
      }
      return { webhook, signingSecret: generated ?? reference };
    },
  }),
  route({
    method: 'patch',
    path: `${W}/webhooks/:name`,
    summary: 'Pause or resume deliveries (spec.enabled)',
    body: WebhookPatch,
    handle: (context, body) =>
      context.kube.mergePatch(path(context, PLURAL, context.params.name), { spec: body }),
  }),
  route({
    method: 'delete',
    path: `${W}/webhooks/:name`,
    summary: 'Delete a webhook; a signing Secret the console generated for it goes with it',
    async handle(context) {
      const name = context.params.name ?? '';
      const webhook = await context.kube.get(path(context, PLURAL, name));
      const reference = (webhook.spec as { signingSecretRef?: { name?: string } }).signingSecretRef?.name;
      await context.kube.request('DELETE', path(context, PLURAL, name));
      const secret = reference ? await optional(context.kube.get(secretPath(context, reference))) : undefined;
      if (secret?.metadata.annotations?.[GENERATED_FOR] === name)
        await context.kube.request('DELETE', secretPath(context, reference)).catch((error: unknown) => {
          if (!(error instanceof KubeError && error.status === 404)) throw error;
        });
      return { name, deleted: true };
    },
  }),
  route({
    method: 'post',
    path: `${W}/webhooks/:name/test`,
    summary: 'Send a test event (type "Test") to the webhook; its delivery shows in the status',
    status: 202,
    handle: (context) =>
      cmkOk(context, 'POST', `/webhooks/${NAMESPACE}/${encodeURIComponent(context.params.name ?? '')}/test`),
  }),
];
