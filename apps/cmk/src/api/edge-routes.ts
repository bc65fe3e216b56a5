import type { CertificateIssuerService } from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';
import {
  activeClientsByKey,
  issueEdgeCertificate,
  listEdges,
  registerEdge,
  revokeEdge,
} from '../keychain/edges.js';
import { CmkError } from '../keychain/errors.js';
import { type Route, route } from './routes.js';

const T = '/api/v1/tenants/:tenant';

/** Where enrolled edges connect, and what they need to trust it. */
export interface EdgeEndpoint {
  url: string;
  caPem: string;
  issuer: CertificateIssuerService;
  revoked(edgeId: string): void;
}

/** Enrollment: the controller registers a workspace's CryptoEdge and gets its first client certificate. */
export function edgeRoutes(endpoint: EdgeEndpoint | undefined): Route[] {
  const required = () => {
    if (!endpoint)
      throw new CmkError(
        'FAILED_PRECONDITION',
        'this CMK profile has no certificate issuer plugin, so Crypto Edges cannot be enrolled',
      );
    return endpoint;
  };
  return [
    route({
      method: 'PUT',
      path: `${T}/edges/:name`,
      summary: 'Enroll a Crypto Edge (idempotent) and issue it a client certificate',
      access: 'system',
      body: Type.Object({
        validityHours: Type.Integer({ minimum: 1, maximum: 720, default: 8 }),
      }),
      async handle(context, body) {
        const edges = required();
        const workspace = context.params.tenant ?? '';
        const name = context.params.name ?? '';
        const registered = await registerEdge(
          context.keychain,
          workspace,
          { name, validityHours: body.validityHours },
          { name: context.principal.username },
        );
        const certificate = await issueEdgeCertificate(context.keychain, edges.issuer, {
          id: registered.edge.id,
          tenantId: registered.tenantId,
          validityHours: registered.edge.validityHours,
        });
        return {
          status: registered.created ? 201 : 200,
          body: {
            edge: { ...registered.edge, certificateNotAfter: certificate.notAfter },
            certificate,
            cmk: { url: edges.url, caPem: edges.caPem },
          },
        };
      },
    }),
    route({
      method: 'DELETE',
      path: `${T}/edges/:name`,
      summary: 'Deregister a Crypto Edge: its certificates are refused from now on',
      access: 'system',
      async handle(context) {
        const id = await revokeEdge(
          context.keychain,
          context.params.tenant ?? '',
          context.params.name ?? '',
          {
            name: context.principal.username,
          },
        );
        if (id) endpoint?.revoked(id);
        return { status: 200, body: { revoked: id !== undefined } };
      },
    }),
    route({
      method: 'GET',
      path: `${T}/edges`,
      summary: 'Crypto Edges of a workspace, whether they are connected, and the active clients of each key',
      access: 'read',
      async handle(context) {
        const workspace = context.params.tenant ?? '';
        return {
          status: 200,
          body: {
            items: await listEdges(context.keychain, workspace),
            activeClients: await activeClientsByKey(context.keychain, workspace),
          },
        };
      },
    }),
  ];
}
