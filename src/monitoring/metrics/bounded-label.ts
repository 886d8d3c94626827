/**
 * A label whose cardinality cannot grow without bound: the first `max` distinct values keep their
 * own series, later ones are folded into `other`. Prometheus stays healthy with 100,000 tenants.
 */
export class BoundedLabel {
  private readonly admitted = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string | undefined): string {
    if (value === undefined) return 'none';
    if (this.admitted.has(value)) return value;
    if (this.admitted.size < this.max) {
      this.admitted.add(value);
      return value;
    }
    return 'other';
  }
}
