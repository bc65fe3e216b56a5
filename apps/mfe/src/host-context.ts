/**
 * What the host (the Platform Mesh Console, the dev shell or a Luigi iframe) gives the Key Chain
 * (FR-401). The host owns login and theme; the Key Chain asks for a token before each call, so a
 * renewed token is used at once, and a new theme is applied without a reload.
 */
export interface HostContext {
  /** Where the BFF answers, e.g. http://127.0.0.1:8100. */
  bffUrl: string;
  /** The workspace path, e.g. root:orgs:acme. */
  workspace: string;
  theme: 'light' | 'dark';
  /** BCP 47, e.g. en-US; dates and numbers are formatted with it. */
  locale: string;
  /** A current access token for the BFF; the host renews it. */
  getToken(): Promise<string>;
}

const WORKSPACE_PATH = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(:[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Hosts are other teams' code: a wrong context is reported at mount, not as a broken screen later. */
export function checkHostContext(context: HostContext): HostContext {
  const problems: string[] = [];
  try {
    const url = new URL(context.bffUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push('bffUrl must be an http(s) URL');
  } catch {
    problems.push(`bffUrl "${context.bffUrl}" is not a URL`);
  }
  if (!WORKSPACE_PATH.test(context.workspace))
    problems.push(`workspace "${context.workspace}" is not a workspace path`);
  if (context.theme !== 'light' && context.theme !== 'dark') problems.push('theme must be "light" or "dark"');
  if (typeof context.getToken !== 'function')
    problems.push('getToken must be a function returning the access token');
  if (problems.length > 0)
    throw new Error(`openkcm-resource-mfe: invalid host context: ${problems.join('; ')}`);
  return { ...context, locale: context.locale || 'en-US' };
}
