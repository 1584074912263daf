import { describe, expect, it } from 'vitest';
import { OutageTracker } from '../../src/pm2/outage-tracker.js';

describe('OutageTracker', () => {
  it('counts a daemon kill once, whichever socket notices first', () => {
    const rpcFirst = new OutageTracker();
    expect(rpcFirst.daemon(false, 1000, 900)).toBeUndefined();
    expect(rpcFirst.bus(false, 1010)).toBeUndefined();
    expect(rpcFirst.daemon(true, 3000)).toEqual({ since: 900, durationMs: 2100 });
    expect(rpcFirst.bus(true, 3010)).toBeUndefined();

    const busFirst = new OutageTracker();
    busFirst.bus(false, 1000);
    busFirst.daemon(false, 1005);
    expect(busFirst.bus(true, 2000)).toBeUndefined();
    expect(busFirst.daemon(true, 2005)).toEqual({ since: 1005, durationMs: 1000 });
  });

  it('reports the bus dropping alone while the daemon stayed up', () => {
    const tracker = new OutageTracker();
    tracker.daemon(true, 0);
    tracker.bus(true, 0);
    tracker.bus(false, 100);
    expect(tracker.bus(true, 350)).toEqual({ since: 100, durationMs: 250 });
    expect(tracker.daemonDown).toBe(false);
  });
});
