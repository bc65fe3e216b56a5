import type { Operation, UsageRecord } from '@openkcm/edge-protocol';

type Tally = UsageRecord;

/**
 * Data-plane usage counted per key, workload and minute (never per call) and handed to CMK in
 * batches: the tenant's audit trail shows who used which key, and CMK derives active clients.
 */
export class UsageMeter {
  private tallies = new Map<string, Tally>();

  record(key: string, workload: string, outcome: Operation | 'refused'): void {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
    const id = `${key}\n${workload}\n${minute}`;
    let tally = this.tallies.get(id);
    if (!tally) {
      tally = {
        key,
        workload,
        minute,
        operations: { encrypt: 0, decrypt: 0, datakey: 0, rewrap: 0 },
        refused: 0,
      };
      this.tallies.set(id, tally);
    }
    if (outcome === 'refused') tally.refused += 1;
    else tally.operations[outcome] += 1;
  }

  /** Takes what was counted; `giveBack` returns a batch CMK could not take, merged with what came since. */
  take(): Tally[] {
    const items = [...this.tallies.values()];
    this.tallies = new Map();
    return items;
  }

  giveBack(items: Tally[]): void {
    for (const item of items.slice(0, 10_000)) {
      const id = `${item.key}\n${item.workload}\n${item.minute}`;
      const current = this.tallies.get(id);
      if (!current) {
        this.tallies.set(id, item);
        continue;
      }
      current.refused += item.refused;
      for (const operation of Object.keys(item.operations) as Operation[])
        current.operations[operation] += item.operations[operation];
    }
  }

  /** Distinct workloads per key in what is still uncounted at CMK (for /metrics). */
  get pending(): number {
    return this.tallies.size;
  }
}
