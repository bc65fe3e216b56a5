import type { Principal } from '@openkcm/auth';
import { type KubeClient, KubeError, type KubeObject, keychainPath } from '@openkcm/kube-client';
import type { Static, TSchema } from '@openkcm/schema';
import { ApiError } from './errors.js';

export const NAMESPACE = 'default';
export const W = '/workspaces/:workspace';

/** What a route handler works with: the caller's own clients, bound to the workspace of the path. */
export interface RouteContext {
  workspace: string;
  /** Who calls, from the verified token; used only to tell the UI what it may offer. */
  principal: Principal;
  params: Record<string, string>;
  query: Record<string, unknown>;
  kube: KubeClient;
  /** CMK's API with the caller's own token; `apiPath` is relative to CMK's /api/v1. */
  cmk(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface Route<B extends TSchema | undefined = TSchema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  body?: B;
  status?: number;
  handle(context: RouteContext, body: B extends TSchema ? Static<B> : undefined): Promise<unknown>;
}

export function route<B extends TSchema | undefined = undefined>(definition: Route<B>): Route {
  return definition as unknown as Route;
}

export const path = (context: RouteContext, plural: string, name?: string) =>
  keychainPath(context.workspace, NAMESPACE, plural, name);
export const items = async (context: RouteContext, plural: string) =>
  (await context.kube.request<{ items: KubeObject[] }>('GET', path(context, plural))).items;
export const bindingPath = (context: RouteContext) =>
  `/clusters/${context.workspace}/apis/apis.kcp.io/v1alpha1/apibindings`;
export const accountOf = (key: KubeObject) => (key.spec?.accountRef as { name?: string } | undefined)?.name;

export async function optional<T>(read: Promise<T>): Promise<T | undefined> {
  return read.catch((error: unknown) => {
    if (error instanceof KubeError && error.status === 404) return undefined;
    throw error;
  });
}

/** A CMK answer that must be a success; CMK's own error (code, message, details) is passed on. */
export async function cmkOk<T = Record<string, unknown>>(
  context: RouteContext,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<T> {
  const answer = await context.cmk(
    method,
    `/tenants/${encodeURIComponent(context.workspace)}${apiPath}`,
    body,
  );
  if (answer.status >= 300)
    throw new ApiError(
      answer.status,
      typeof answer.body.code === 'string' ? answer.body.code : 'CMK_ERROR',
      typeof answer.body.message === 'string' ? answer.body.message : `CMK answered ${answer.status}`,
      (answer.body.details as Record<string, unknown> | undefined) ?? {},
    );
  return answer.body as T;
}
