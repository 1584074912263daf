// A fixed-capacity list that forgets its oldest items: process events, metric samples and gaps are
// kept for analysis, never without bound.
export class BoundedList<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  push(...items: T[]): void {
    this.items.push(...items);
    // Trim in batches so that a steady stream costs amortised O(1), not a shift per push.
    if (this.items.length > this.capacity * 1.25) this.items = this.items.slice(-this.capacity);
  }

  toArray(): T[] {
    return this.items.length > this.capacity ? this.items.slice(-this.capacity) : this.items.slice();
  }

  replace(items: readonly T[]): void {
    this.items = items.slice(-this.capacity);
  }
}
