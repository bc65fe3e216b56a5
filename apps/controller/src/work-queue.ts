/**
 * A rate-limited work queue in the manner of client-go's: a key is queued at most once, never
 * processed by two workers at once, and a failing key backs off exponentially on its own.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly order: string[] = [];
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly baseDelayMs = 200,
    private readonly maxDelayMs = 5 * 60_000,
  ) {}

  get depth(): number {
    return this.queued.size;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.waiters.shift()?.();
  }

  /** Delays beyond an hour are cut to an hour: timers cannot wait longer than 24.8 days, and a level-based check every hour is cheap. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    delayMs = Math.min(delayMs, 3_600_000);
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        this.add(key);
      },
      Math.max(0, delayMs),
    );
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Re-queues a failed key after its next backoff step (at most capMs). */
  retry(key: string, capMs = this.maxDelayMs): number {
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    const delay = Math.min(capMs, this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(count - 1, 30));
    this.addAfter(key, delay);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  async next(): Promise<string | undefined> {
    while (!this.stopped) {
      const key = this.order.shift();
      if (key !== undefined) {
        this.queued.delete(key);
        this.processing.add(key);
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const wake of this.waiters) wake();
    this.waiters = [];
  }
}
