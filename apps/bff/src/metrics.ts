const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Prometheus metrics of the BFF: requests by route, method and status, and their latency. */
export class RequestMetrics {
  private readonly counts = new Map<string, number>();
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();

  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `route="${route}",method="${method}",status="${status}"`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const histogramKey = `route="${route}",method="${method}"`;
    const histogram = this.latency.get(histogramKey) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
    for (const [index, bound] of BUCKETS.entries())
      if (seconds <= bound) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    histogram.sum += seconds;
    histogram.count++;
    this.latency.set(histogramKey, histogram);
  }

  render(): string {
    const lines = [
      '# TYPE openkcm_bff_requests_total counter',
      ...[...this.counts].map(([labels, value]) => `openkcm_bff_requests_total{${labels}} ${value}`),
      '# TYPE openkcm_bff_request_duration_seconds histogram',
    ];
    for (const [labels, histogram] of this.latency) {
      for (const [index, bound] of BUCKETS.entries())
        lines.push(
          `openkcm_bff_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.buckets[index]}`,
        );
      lines.push(`openkcm_bff_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`);
      lines.push(`openkcm_bff_request_duration_seconds_sum{${labels}} ${histogram.sum}`);
      lines.push(`openkcm_bff_request_duration_seconds_count{${labels}} ${histogram.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
