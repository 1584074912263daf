// Turns the two sockets' ups and downs into outages. Killing the daemon closes both sockets in
// either order; that is one daemon outage. Only the bus dropping while rpc.sock stayed connected is a
// bus outage of its own (its lines, unlike the files, are not replayed).

export interface Outage {
  since: number;
  durationMs: number;
}

export class OutageTracker {
  private daemonDownSince: number | undefined;
  private epoch = 0;
  private busDown: { since: number; epoch: number; daemonDown: boolean } | undefined;

  get daemonDown(): boolean {
    return this.daemonDownSince !== undefined;
  }

  /** rpc.sock went down or came up; returns the outage that just ended, if any. */
  daemon(alive: boolean, now: number, lastSeen?: number): Outage | undefined {
    if (!alive) {
      this.epoch++;
      this.daemonDownSince ??= lastSeen ?? now;
      return undefined;
    }
    const since = this.daemonDownSince;
    this.daemonDownSince = undefined;
    return since === undefined ? undefined : { since, durationMs: now - since };
  }

  /** pub.sock went down or came up; returns a bus-only outage that just ended, if any. */
  bus(connected: boolean, now: number): Outage | undefined {
    if (!connected) {
      this.busDown ??= { since: now, epoch: this.epoch, daemonDown: this.daemonDown };
      return undefined;
    }
    const down = this.busDown;
    this.busDown = undefined;
    if (!down || down.daemonDown || down.epoch !== this.epoch) return undefined;
    return { since: down.since, durationMs: now - down.since };
  }
}
