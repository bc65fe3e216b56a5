import type { ChangeEvent } from '@openkcm/bff-api';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useEnvironment } from './hooks.js';
import { affectedBy, keychainKeys } from './query-keys.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

interface ServerEvent {
  id?: string;
  event: string;
  data: string;
}

/** Splits a Server-Sent Events byte stream into events (the BFF writes `id`, `event` and one `data` line). */
function* parseEvents(buffer: { text: string }): Generator<ServerEvent> {
  let split = buffer.text.indexOf('\n\n');
  while (split >= 0) {
    const block = buffer.text.slice(0, split);
    buffer.text = buffer.text.slice(split + 2);
    split = buffer.text.indexOf('\n\n');
    const event: ServerEvent = { event: 'message', data: '' };
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) event.id = line.slice(4);
      else if (line.startsWith('event: ')) event.event = line.slice(7);
      else if (line.startsWith('data: ')) event.data += line.slice(6);
    }
    if (event.data) yield event;
  }
}

/**
 * Follows the workspace's changes and invalidates exactly the queries each change affects. The
 * stream is read with fetch because EventSource cannot send the Authorization header; it resumes
 * from the last event after a disconnect, with a fresh token each time.
 */
export function useLiveUpdates(): LiveState {
  const { host } = useEnvironment();
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const { bffUrl, workspace, getToken } = host;

  useEffect(() => {
    const abort = new AbortController();
    let lastEventId: string | undefined;
    let attempt = 0;
    const follow = async () => {
      while (!abort.signal.aborted) {
        try {
          const response = await fetch(`${bffUrl}/api/v1/workspaces/${workspace}/events`, {
            headers: {
              Authorization: `Bearer ${await getToken()}`,
              Accept: 'text/event-stream',
              ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
            },
            signal: abort.signal,
          });
          if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
          setState('live');
          // Whatever changed while disconnected is reloaded once; then only what changes.
          if (attempt > 0) await client.invalidateQueries({ queryKey: keychainKeys.all(workspace) });
          attempt = 0;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          const buffer = { text: '' };
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer.text += value;
            for (const event of parseEvents(buffer)) {
              if (event.id) lastEventId = event.id;
              if (event.event === 'resync') {
                lastEventId = undefined;
                await client.invalidateQueries({ queryKey: keychainKeys.all(workspace) });
                continue;
              }
              const change = JSON.parse(event.data) as ChangeEvent;
              for (const filter of affectedBy(workspace, change.kind, change.name))
                void client.invalidateQueries(filter);
            }
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        setState('reconnecting');
        attempt += 1;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5))),
        );
      }
    };
    void follow();
    return () => abort.abort();
  }, [bffUrl, workspace, getToken, client]);
  return state;
}
