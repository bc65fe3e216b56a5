import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type InProcessControlPlane, installWidgets, startInProcess, WIDGETS } from './support.js';

let plane: InProcessControlPlane;

beforeEach(async () => {
  plane = await startInProcess({ bookmarkIntervalMs: 200, historyLimit: 20 });
  await installWidgets(plane);
});
afterEach(async () => {
  await plane.close();
});

const widget = (name: string, size = 3, labels: Record<string, string> = {}) => ({
  apiVersion: 'example.openkcm.io/v1',
  kind: 'Widget',
  metadata: { name, labels },
  spec: { size },
});

interface WatchEvent {
  type: string;
  object: { metadata: { name?: string }; code?: number };
}

/** Reads watch events until `count` have arrived or the stream ends. */
async function readEvents(path: string, count: number): Promise<WatchEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${plane.url}${path}`, {
    headers: { Authorization: `Bearer ${plane.token}` },
    signal: controller.signal,
  });
  const events: WatchEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body!.getReader();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      events.push(JSON.parse(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
    }
  }
  controller.abort();
  return events;
}

describe('objects', () => {
  it('creates with server-owned metadata and defaults, and refuses a duplicate', async () => {
    const created = await plane.request('POST', WIDGETS, widget('a'));
    expect(created.status).toBe(201);
    const metadata = created.body.metadata as Record<string, unknown>;
    expect(metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(metadata.generation).toBe(1);
    expect(metadata.namespace).toBe('default');
    expect(created.body.spec).toEqual({ size: 3, color: 'red' });
    const again = await plane.request('POST', WIDGETS, widget('a'));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
  });

  it('answers 422 Invalid with one cause per bad field', async () => {
    const response = await plane.request('POST', WIDGETS, {
      metadata: { name: 'Bad_Name' },
      spec: { size: 99, color: 'green' },
    });
    expect(response.status).toBe(422);
    expect(response.body.reason).toBe('Invalid');
    const causes = (response.body.details as { causes: Array<{ field: string }> }).causes.map(
      (cause) => cause.field,
    );
    expect(causes).toEqual(expect.arrayContaining(['metadata.name', 'spec.size', 'spec.color']));
  });

  it('prunes unknown fields, or refuses them with fieldValidation=Strict', async () => {
    const pruned = await plane.request('POST', WIDGETS, { ...widget('p'), spec: { size: 1, extra: true } });
    expect(pruned.status).toBe(201);
    expect(pruned.body.spec).toEqual({ size: 1, color: 'red' });
    expect(pruned.headers.get('warning')).toContain('unknown field');
    const strict = await plane.request('POST', `${WIDGETS}?fieldValidation=Strict`, {
      ...widget('s'),
      spec: { size: 1, extra: true },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.extra"');
  });

  it('bumps generation on spec changes only, and splits status into its subresource', async () => {
    const created = await plane.request('POST', WIDGETS, widget('g'));
    const labelled = await plane.request(
      'PATCH',
      `${WIDGETS}/g`,
      { metadata: { labels: { tier: 'gold' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect((labelled.body.metadata as Record<string, unknown>).generation).toBe(1);
    const resized = await plane.request(
      'PATCH',
      `${WIDGETS}/g`,
      { spec: { size: 5 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect((resized.body.metadata as Record<string, unknown>).generation).toBe(2);
    // status written through the main resource is ignored
    const sneaky = await plane.request(
      'PATCH',
      `${WIDGETS}/g`,
      { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(sneaky.body.status).toBeUndefined();
    const status = await plane.request(
      'PATCH',
      `${WIDGETS}/g/status`,
      { status: { conditions: [{ type: 'Ready', status: 'True' }] }, spec: { size: 9 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(status.status).toBe(200);
    expect(status.body.status).toEqual({ conditions: [{ type: 'Ready', status: 'True' }] });
    expect((status.body.spec as Record<string, unknown>).size).toBe(5);
    expect((status.body.metadata as Record<string, unknown>).generation).toBe(2);
    expect(Number((status.body.metadata as Record<string, string>).resourceVersion)).toBeGreaterThan(
      Number((created.body.metadata as Record<string, string>).resourceVersion),
    );
  });

  it('detects conflicting updates by resourceVersion', async () => {
    const created = await plane.request('POST', WIDGETS, widget('c'));
    const first = await plane.request('PUT', `${WIDGETS}/c`, { ...created.body, spec: { size: 4 } });
    expect(first.status).toBe(200);
    const stale = await plane.request('PUT', `${WIDGETS}/c`, { ...created.body, spec: { size: 6 } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const unconditional = await plane.request('PUT', `${WIDGETS}/c`, { ...widget('c'), spec: { size: 6 } });
    expect(unconditional.status).toBe(422);
  });

  it('applies JSON patches and refuses a failed test operation', async () => {
    await plane.request('POST', WIDGETS, widget('j'));
    const patched = await plane.request(
      'PATCH',
      `${WIDGETS}/j`,
      [{ op: 'replace', path: '/spec/size', value: 7 }],
      { 'Content-Type': 'application/json-patch+json' },
    );
    expect((patched.body.spec as Record<string, unknown>).size).toBe(7);
    const failed = await plane.request(
      'PATCH',
      `${WIDGETS}/j`,
      [{ op: 'test', path: '/spec/size', value: 1 }],
      { 'Content-Type': 'application/json-patch+json' },
    );
    expect(failed.status).toBe(422);
  });

  it('creates and then updates through server-side apply', async () => {
    const yaml =
      'apiVersion: example.openkcm.io/v1\nkind: Widget\nmetadata:\n  name: applied\nspec:\n  size: 2\n';
    const headers = { 'Content-Type': 'application/apply-patch+yaml' };
    const missingManager = await plane.request('PATCH', `${WIDGETS}/applied`, yaml, headers);
    expect(missingManager.status).toBe(400);
    const created = await plane.request('PATCH', `${WIDGETS}/applied?fieldManager=test`, yaml, headers);
    expect(created.status).toBe(201);
    const updated = await plane.request(
      'PATCH',
      `${WIDGETS}/applied?fieldManager=test`,
      yaml.replace('size: 2', 'size: 8'),
      headers,
    );
    expect(updated.status).toBe(200);
    expect((updated.body.spec as Record<string, unknown>).size).toBe(8);
  });

  it('holds deletion while finalizers remain and completes it when the last one goes', async () => {
    await plane.request('POST', WIDGETS, {
      ...widget('f'),
      metadata: { name: 'f', finalizers: ['example.openkcm.io/hold'] },
    });
    const deleting = await plane.request('DELETE', `${WIDGETS}/f`);
    expect(deleting.status).toBe(200);
    expect((deleting.body.metadata as Record<string, unknown>).deletionTimestamp).toBeTruthy();
    expect((await plane.request('GET', `${WIDGETS}/f`)).status).toBe(200);
    const adding = await plane.request(
      'PATCH',
      `${WIDGETS}/f`,
      { metadata: { finalizers: ['example.openkcm.io/hold', 'another/one'] } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(adding.status).toBe(422);
    const released = await plane.request(
      'PATCH',
      `${WIDGETS}/f`,
      { metadata: { finalizers: null } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    expect(released.status).toBe(200);
    expect((await plane.request('GET', `${WIDGETS}/f`)).status).toBe(404);
  });
});

describe('lists', () => {
  it('filters by label and field selectors and pages with continue tokens', async () => {
    for (const [name, tier] of [
      ['w1', 'gold'],
      ['w2', 'silver'],
      ['w3', 'gold'],
      ['w4', 'bronze'],
    ] as const) {
      await plane.request('POST', WIDGETS, widget(name, 1, { tier }));
    }
    const names = (body: Record<string, unknown>) =>
      (body.items as Array<{ metadata: { name: string } }>).map((item) => item.metadata.name);
    expect(names((await plane.request('GET', `${WIDGETS}?labelSelector=tier%3Dgold`)).body)).toEqual([
      'w1',
      'w3',
    ]);
    expect(
      names((await plane.request('GET', `${WIDGETS}?labelSelector=tier%20in%20(silver,bronze)`)).body),
    ).toEqual(['w2', 'w4']);
    expect(names((await plane.request('GET', `${WIDGETS}?fieldSelector=metadata.name%3Dw2`)).body)).toEqual([
      'w2',
    ]);
    expect((await plane.request('GET', `${WIDGETS}?fieldSelector=spec.size%3D1`)).status).toBe(400);
    const page1 = await plane.request('GET', `${WIDGETS}?limit=3`);
    expect(names(page1.body)).toEqual(['w1', 'w2', 'w3']);
    const token = (page1.body.metadata as Record<string, string>).continue;
    const page2 = await plane.request('GET', `${WIDGETS}?limit=3&continue=${token}`);
    expect(names(page2.body)).toEqual(['w4']);
    expect((page2.body.metadata as Record<string, string>).continue).toBeUndefined();
  });

  it('renders a Table with the printer columns for kubectl', async () => {
    await plane.request('POST', WIDGETS, widget('t', 4));
    const table = await plane.request('GET', WIDGETS, undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(table.body.kind).toBe('Table');
    expect((table.body.columnDefinitions as Array<{ name: string }>).map((column) => column.name)).toEqual([
      'Name',
      'Size',
      'Ready',
    ]);
    expect((table.body.rows as Array<{ cells: unknown[] }>)[0]?.cells).toEqual(['t', 4, '<none>']);
  });
});

describe('watch', () => {
  it('resumes from a resourceVersion and sends bookmarks', async () => {
    const first = await plane.request('POST', WIDGETS, widget('r1'));
    const from = (first.body.metadata as Record<string, string>).resourceVersion;
    await plane.request('POST', WIDGETS, widget('r2'));
    await plane.request('DELETE', `${WIDGETS}/r1`);
    const events = await readEvents(
      `${WIDGETS}?watch=true&resourceVersion=${from}&allowWatchBookmarks=true`,
      3,
    );
    expect(events.map((event) => `${event.type}:${event.object.metadata.name ?? ''}`)).toEqual([
      'ADDED:r2',
      'DELETED:r1',
      'BOOKMARK:',
    ]);
  });

  it('answers 410 Expired for a version older than the kept history', async () => {
    const first = await plane.request('POST', WIDGETS, widget('old'));
    const from = (first.body.metadata as Record<string, string>).resourceVersion;
    for (let index = 0; index < 25; index++) {
      await plane.request(
        'PATCH',
        `${WIDGETS}/old`,
        { spec: { size: (index % 9) + 1 } },
        { 'Content-Type': 'application/merge-patch+json' },
      );
    }
    const [event] = await readEvents(`${WIDGETS}?watch=true&resourceVersion=${from}`, 1);
    expect(event?.type).toBe('ERROR');
    expect(event?.object.code).toBe(410);
  });

  it('tells a label-filtered watcher when an object leaves its filter', async () => {
    await plane.request('POST', WIDGETS, widget('l', 1, { tier: 'gold' }));
    const list = await plane.request('GET', `${WIDGETS}?labelSelector=tier%3Dgold`);
    const from = (list.body.metadata as Record<string, string>).resourceVersion;
    const pending = readEvents(`${WIDGETS}?watch=true&labelSelector=tier%3Dgold&resourceVersion=${from}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await plane.request(
      'PATCH',
      `${WIDGETS}/l`,
      { metadata: { labels: { tier: 'silver' } } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    const [event] = await pending;
    expect(event?.type).toBe('DELETED');
  });
});

describe('bad requests', () => {
  it('gives clear 4xx Status errors and keeps serving', async () => {
    const malformed = await plane.request('POST', WIDGETS, '{"metadata": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.kind).toBe('Status');
    expect(malformed.body.message).toContain('not valid JSON');
    const huge = await plane.request(
      'POST',
      WIDGETS,
      JSON.stringify({ ...widget('h'), padding: 'x'.repeat(4 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
    const unknownKind = await plane.request('GET', '/apis/example.openkcm.io/v1/namespaces/default/gadgets');
    expect(unknownKind.status).toBe(404);
    const missingNamespace = await plane.request(
      'POST',
      '/apis/example.openkcm.io/v1/namespaces/nope/widgets',
      widget('x'),
    );
    expect(missingNamespace.status).toBe(404);
    const wrongKind = await plane.request('POST', WIDGETS, { ...widget('k'), kind: 'Gadget' });
    expect(wrongKind.status).toBe(400);
    expect((await plane.request('GET', WIDGETS)).status).toBe(200);
  });

  it('refuses requests without a valid token', async () => {
    const anonymous = await fetch(`${plane.url}${WIDGETS}`);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${plane.url}${WIDGETS}`, {
      headers: { Authorization: 'Bearer not-a-token' },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as Record<string, unknown>).kind).toBe('Status');
  });
});

describe('workspaces', () => {
  it('creates a logical cluster with a default namespace, served under /clusters/<path>', async () => {
    const parent = await plane.request('POST', '/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces', {
      metadata: { name: 'orgs' },
    });
    expect(parent.status).toBe(201);
    expect((parent.body.status as Record<string, unknown>).phase).toBe('Ready');
    const child = await plane.request('POST', '/clusters/root:orgs/apis/tenancy.kcp.io/v1alpha1/workspaces', {
      metadata: { name: 'acme' },
    });
    expect((child.body.spec as Record<string, unknown>).URL).toBe(`${plane.url}/clusters/root:orgs:acme`);
    const namespaces = await plane.request('GET', '/clusters/root:orgs:acme/api/v1/namespaces');
    expect(
      (namespaces.body.items as Array<{ metadata: { name: string } }>).map((item) => item.metadata.name),
    ).toEqual(['default']);
    const created = await plane.request(
      'POST',
      '/clusters/root:orgs:acme/apis/example.openkcm.io/v1/namespaces/default/widgets',
      widget('w'),
    );
    expect(created.status).toBe(201);
    // the same name in another workspace is another object
    expect((await plane.request('POST', WIDGETS, widget('w'))).status).toBe(201);
    expect((await plane.request('GET', '/clusters/root:orgs:nope/api/v1/namespaces')).status).toBe(404);
    const everywhere = await plane.request('GET', '/clusters/*/apis/example.openkcm.io/v1/widgets');
    expect((everywhere.body.items as unknown[]).length).toBe(2);
  });
});

describe('storage', () => {
  it('keeps objects and resourceVersions across a restart', async () => {
    const created = await plane.request('POST', WIDGETS, widget('kept'));
    await plane.restart();
    const read = await plane.request('GET', `${WIDGETS}/kept`);
    expect(read.status).toBe(200);
    expect(read.body.metadata).toEqual(created.body.metadata);
    const next = await plane.request('POST', WIDGETS, widget('after'));
    expect(Number((next.body.metadata as Record<string, string>).resourceVersion)).toBeGreaterThan(
      Number((created.body.metadata as Record<string, string>).resourceVersion),
    );
  });
});
