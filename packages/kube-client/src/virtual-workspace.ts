import type { KubeClient, KubeObject } from './index.js';

/** An APIExportEndpointSlice: `<workspace>/<name>`, e.g. `root:openkcm/keychain.openkcm.io`. */
export interface EndpointSliceRef {
  workspace: string;
  name: string;
}

/** Parses `<workspace>/<name>`; undefined when it is not that shape. */
export function parseEndpointSliceRef(value: string): EndpointSliceRef | undefined {
  const [workspace, name, ...extra] = value.split('/');
  return workspace && name && extra.length === 0 ? { workspace, name } : undefined;
}

/**
 * As a kcp provider does: read the APIExportEndpointSlice and use the URL in its status, waiting
 * (with a log line every ten tries) until the slice exists and has one, or `maxAttempts` seconds.
 */
export async function resolveVirtualWorkspace(
  platform: KubeClient,
  slice: EndpointSliceRef,
  log: (entry: Record<string, unknown>) => void,
  maxAttempts = Number.POSITIVE_INFINITY,
): Promise<string> {
  const path = `/clusters/${slice.workspace}/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${encodeURIComponent(slice.name)}`;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const found = await platform.get(path).catch((error: unknown) => error);
    const endpoints = (found as KubeObject | undefined)?.status?.endpoints;
    const url = Array.isArray(endpoints) ? (endpoints[0] as { url?: unknown } | undefined)?.url : undefined;
    if (typeof url === 'string' && url.length > 0) return url;
    if (attempt % 10 === 0)
      log({
        level: 'warn',
        msg: `waiting for APIExportEndpointSlice ${slice.workspace}/${slice.name} to have an endpoint`,
        ...(found instanceof Error ? { error: found.message } : {}),
      });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`APIExportEndpointSlice ${slice.workspace}/${slice.name} has no endpoint`);
}
