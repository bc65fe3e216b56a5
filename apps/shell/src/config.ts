/** What the shell's server tells the page at /config.json: where everything else is. */
export interface ShellConfig {
  issuer: string;
  clientId: string;
  bffUrl: string;
  /** The remote's base URL; remoteEntry.js is loaded from here at run time. */
  mfeUrl: string;
}

export async function loadConfig(): Promise<ShellConfig> {
  const response = await fetch('/config.json');
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<ShellConfig>;
  for (const field of ['issuer', 'clientId', 'bffUrl', 'mfeUrl'] as const) {
    if (typeof config[field] !== 'string' || !config[field]) throw new Error(`/config.json has no ${field}`);
  }
  return config as ShellConfig;
}
