import type { KubeClient, KubeObject } from '@openkcm/kube-client';
import type { CmkClient } from './cmk-client.js';
import type { WorkQueue } from './work-queue.js';

/** Read access to what the informers hold, per workspace. */
export interface Caches {
  bindings(cluster: string): KubeObject[];
  tenants(cluster: string): KubeObject[];
  accounts(cluster: string): KubeObject[];
  keys(cluster: string): KubeObject[];
  /** The workspaces the key informer holds keys of. */
  keyClusters(): string[];
  edges(cluster: string): KubeObject[];
  webhooks(cluster: string): KubeObject[];
}

export interface ControllerContext {
  /** The APIExport's virtual workspace: the bound workspaces and the claims they accepted. */
  kube: KubeClient;
  /**
   * The control plane itself, for the one thing the view cannot show: the Tenant of a workspace
   * that unbound the export (to record that it is suspended). See docs on kcp differences.
   */
  platform: KubeClient;
  cmk: CmkClient;
  caches: Caches;
  queue: WorkQueue;
  now: () => Date;
  /** How often an Account's L1 key is checked again. */
  revalidateMs: number;
}

export interface ReconcileResult {
  requeueAfterMs?: number;
  /**
   * The object is unhealthy (its keystore or its Account is not usable): check again with
   * exponential backoff, capped at requeueAfterMs, instead of at once or on a fixed beat.
   */
  backoff?: boolean;
}

export function cmkMessage(body: Record<string, unknown>): string {
  return typeof body.message === 'string' ? body.message : 'CMK gave no reason';
}
