import { applyTheme } from '@openkcm/ui-kit';
import { createRoot } from 'react-dom/client';
import { createUserManager, signIn } from './auth.js';
import { loadConfig } from './config.js';
import { initialTheme } from './preferences.js';
import { Shell } from './Shell.js';

async function start(): Promise<void> {
  const element = document.getElementById('root');
  if (!element) throw new Error('index.html has no #root element');
  await applyTheme(initialTheme());
  const config = await loadConfig();
  const manager = createUserManager(config);
  const user = await signIn(manager);
  createRoot(element).render(<Shell config={config} manager={manager} initialUser={user} />);
}

start().catch((error: unknown) => {
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `The shell could not start: ${(error as Error).message}. Reload the page to try again.`;
  document.body.replaceChildren(message);
});
