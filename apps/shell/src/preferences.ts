export type Theme = 'light' | 'dark';
const THEME_KEY = 'openkcm-shell-theme';
const WORKSPACE_KEY = 'openkcm-shell-workspace';

/** The user's last choice, else the system's preference. */
export function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function saveTheme(theme: Theme): void {
  localStorage.setItem(THEME_KEY, theme);
}

/** The workspace opened last, per user, if the user may still open it; else their first. */
export function startWorkspace(user: string, workspaces: string[]): string | undefined {
  const last = localStorage.getItem(`${WORKSPACE_KEY}:${user}`);
  return last && workspaces.includes(last) ? last : workspaces[0];
}

export function saveWorkspace(user: string, workspace: string): void {
  localStorage.setItem(`${WORKSPACE_KEY}:${user}`, workspace);
}
