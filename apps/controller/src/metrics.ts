const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Prometheus metrics of the controller: queue depth, reconcile latency and results per kind. */
export class Metrics {
  private readonly results = new Map<string, number>();
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();

  observe(kind: string, seconds: number, result: 'success' | 'error'): void {
    const resultKey = `${kind}|${result}`;
    this.results.set(resultKey, (this.results.get(resultKey) ?? 0) + 1);
    const histogram = this.histograms.get(kind) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((bound, index) => {
      if (seconds <= bound) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    });
    histogram.sum += seconds;
    histogram.count++;
    this.histograms.set(kind, histogram);
  }

  render(gauges: { queueDepth: number; leader: boolean }): string {
    const lines = [
      '# HELP openkcm_controller_queue_depth Objects waiting to be reconciled.',
      '# TYPE openkcm_controller_queue_depth gauge',
      `openkcm_controller_queue_depth ${gauges.queueDepth}`,
      '# HELP openkcm_controller_leader Whether this replica holds the leader lease.',
      '# TYPE openkcm_controller_leader gauge',
      `openkcm_controller_leader ${gauges.leader ? 1 : 0}`,
      '# HELP openkcm_controller_reconcile_total Reconciles by kind and result.',
      '# TYPE openkcm_controller_reconcile_total counter',
      ...[...this.results].map(([key, value]) => {
        const [kind, result] = key.split('|');
        return `openkcm_controller_reconcile_total{kind="${kind}",result="${result}"} ${value}`;
      }),
      '# HELP openkcm_controller_reconcile_duration_seconds Reconcile latency by kind.',
      '# TYPE openkcm_controller_reconcile_duration_seconds histogram',
    ];
    for (const [kind, histogram] of this.histograms) {
      for (const [index, bound] of BUCKETS.entries()) {
        lines.push(
          `openkcm_controller_reconcile_duration_seconds_bucket{kind="${kind}",le="${bound}"} ${histogram.buckets[index]}`,
        );
      }
      lines.push(
        `openkcm_controller_reconcile_duration_seconds_bucket{kind="${kind}",le="+Inf"} ${histogram.count}`,
      );
      lines.push(`openkcm_controller_reconcile_duration_seconds_sum{kind="${kind}"} ${histogram.sum}`);
      lines.push(`openkcm_controller_reconcile_duration_seconds_count{kind="${kind}"} ${histogram.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
