import { notificationContract } from '@openkcm/plugin-sdk/testing';
import { LogNotification } from '../src/index.js';

notificationContract('the log notification plugin', async () => {
  const lines: string[] = [];
  const plugin = new LogNotification('notification-log', (line) => lines.push(line));
  await plugin.configure({});
  return {
    plugin,
    delivered: async () =>
      lines.map((line) => (JSON.parse(line) as { event: import('@openkcm/plugin-sdk').KeyChainEvent }).event),
    cleanup: async () => {},
  };
});
