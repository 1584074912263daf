import { describe, expect, it } from 'vitest';
import { Ring } from '../../src/buffer/ring.js';
import type { LogEntry } from '../../src/core/types.js';
import { makeEntry } from './fixtures/entries.js';

describe('Ring', () => {
  it('keeps count, bytes, order and the time span of a sliding window', () => {
    const ring = new Ring(50);
    const kept: LogEntry[] = [];
    let state = 12345;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let seq = 1; seq <= 3000; seq++) {
      const entry = { ...makeEntry(seq), seq, timestamp: Math.floor(random() * 1e6) };
      const evicted = ring.push(entry, seq % 7);
      kept.push(entry);
      if (kept.length > 50) expect(evicted).toBe(kept.shift());
      if (seq % 5 === 0 && kept.length > 1) expect(ring.shift()).toBe(kept.shift());
      const times = kept.map((e) => e.timestamp);
      expect(ring.timeSpan).toEqual([Math.min(...times), Math.max(...times)]);
      expect(ring.bytes).toBe(kept.reduce((sum, e) => sum + (e.seq % 7), 0));
    }
    expect(Array.from({ length: ring.length }, (_, i) => ring.at(i))).toEqual(kept);
    expect(ring.lowerBound(kept[10].seq)).toBe(10);
    expect(ring.lowerBound(0)).toBe(0);
    expect(ring.lowerBound(1e9)).toBe(ring.length);
  });
});
