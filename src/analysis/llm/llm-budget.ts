// Cost control: at most N model calls in any sliding hour.
import type { Clock } from '../../core/ports.js';

const HOUR_MS = 3_600_000;

export class LlmBudget {
  private calls: number[] = [];

  constructor(
    readonly maxPerHour: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(maxPerHour) || maxPerHour < 0) throw new RangeError(`maxPerHour must be a whole number >= 0, got ${maxPerHour}`);
  }

  /** Takes one call from the budget; false when the hour's calls are used up. */
  tryTake(): boolean {
    this.forgetOld();
    if (this.calls.length >= this.maxPerHour) return false;
    this.calls.push(this.clock.now());
    return true;
  }

  callsThisHour(): number {
    this.forgetOld();
    return this.calls.length;
  }

  private forgetOld(): void {
    const since = this.clock.now() - HOUR_MS;
    while (this.calls.length && this.calls[0] <= since) this.calls.shift();
  }
}
