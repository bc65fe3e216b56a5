import { randomUUID } from 'node:crypto';
import { type KubeClient, KubeError, type KubeObject } from '@openkcm/kube-client';

const LEASE = '/clusters/root/apis/coordination.k8s.io/v1/namespaces/default/leases/openkcm-controller';

function micro(date: Date): string {
  return date.toISOString().replace('Z', '000Z');
}

/**
 * Leader election through a coordination.k8s.io Lease, as client-go does it: the holder renews
 * the lease; a candidate takes it over only once it has expired, with optimistic concurrency.
 */
export class LeaderElector {
  readonly identity = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kube: KubeClient,
    private readonly onChange: (leading: boolean) => void,
    private readonly leaseSeconds = 15,
    private readonly retryMs = 2000,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const tick = async () => {
      const leading = await this.tryAcquireOrRenew().catch(() => false);
      if (leading !== this.leading) {
        this.leading = leading;
        this.onChange(leading);
      }
      this.timer = setTimeout(() => void tick(), this.retryMs);
    };
    void tick();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const spec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds,
      renewTime: micro(now),
    };
    let lease: KubeObject | undefined;
    try {
      lease = await this.kube.get(LEASE);
    } catch (error) {
      if (!(error instanceof KubeError && error.status === 404)) throw error;
    }
    if (!lease) {
      await this.kube.request('POST', LEASE.slice(0, LEASE.lastIndexOf('/')), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'openkcm-controller' },
        spec: { ...spec, acquireTime: micro(now) },
      });
      return true;
    }
    const current = (lease.spec ?? {}) as {
      holderIdentity?: string;
      renewTime?: string;
      leaseDurationSeconds?: number;
      acquireTime?: string;
    };
    const expires =
      Date.parse(current.renewTime ?? '') + (current.leaseDurationSeconds ?? this.leaseSeconds) * 1000;
    if (current.holderIdentity !== this.identity && expires > now.getTime()) return false;
    const acquireTime = current.holderIdentity === this.identity ? current.acquireTime : micro(now);
    try {
      await this.kube.request('PUT', LEASE, { ...lease, spec: { ...current, ...spec, acquireTime } });
      return true;
    } catch (error) {
      if (error instanceof KubeError && error.status === 409) return false;
      throw error;
    }
  }

  /** Gives the lease up on shutdown so another replica takes over at once. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.kube.get(LEASE).catch(() => undefined);
    if (lease && (lease.spec as { holderIdentity?: string } | undefined)?.holderIdentity === this.identity) {
      await this.kube
        .request('PUT', LEASE, {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', renewTime: micro(new Date(0)) },
        })
        .catch(() => undefined);
    }
  }
}
