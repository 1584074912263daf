import { describe, expect, it } from 'vitest';
import { detectPatternChanges, mineWindow, trendOf } from '../../../src/analysis/detectors/patterns.js';
import { TemplateMiner } from '../../../src/analysis/miner/template-miner.js';
import { SEC, T0, Window } from './fixtures.js';

const BOUNDS = { evidenceSeqs: 20, evidenceSamples: 3 };

describe('pattern changes', () => {
  it('classifies trends against the previous counts', () => {
    const miner = new TemplateMiner({ now: () => T0 });
    const w = new Window();
    for (let i = 0; i < 30; i++) w.log({ at: i * SEC, message: `cache hit for key k${i}` });
    for (let i = 0; i < 3; i++) w.log({ at: i * SEC, message: `slow query on table t${i}` });
    const mined = mineWindow(w.entries, miner, false, BOUNDS);
    const [hit, slow] = [...mined.context.tallies.keys()];
    const ctx = { ...mined.context, previous: { patternCounts: new Map([[hit, 10], [slow, 10]]), at: T0 - 60 * SEC } };
    expect(trendOf(ctx, hit, 30)).toBe('rising');
    expect(trendOf(ctx, slow, 3)).toBe('falling');
    expect(trendOf(ctx, slow, 8)).toBe('steady');
    expect(trendOf(ctx, 'p-gone', 0)).toBeUndefined();
    expect(trendOf({ ...mined.context }, hit, 30)).toBeUndefined();
  });

  it('sums new patterns without errors into one info finding', () => {
    const miner = new TemplateMiner({ now: () => T0 });
    const w = new Window();
    const a = w.log({ at: 0, message: 'feature flag checkout-v2 enabled' });
    const b = w.log({ at: SEC, message: 'warming cache for 12 products' });
    w.log({ at: 2 * SEC, message: 'warming cache for 40 products' });
    const mined = mineWindow(w.entries, miner, false, BOUNDS, { patternCounts: {}, at: T0 - 1 });
    const ctx = w.context({ patterns: mined.context });
    const findings = detectPatternChanges(ctx);
    expect(findings.map((f) => [f.id, f.severity, f.title, f.evidence.count, f.evidence.seqs])).toEqual([
      ['new-patterns:info', 'info', '2 new patterns since the previous analysis', 3, [a, b]],
    ]);
  });

  it('reports nothing without a previous analysis', () => {
    const w = new Window();
    w.log({ at: 0, level: 'error', message: 'boom' });
    const mined = mineWindow(w.entries, new TemplateMiner({ now: () => T0 }), false, BOUNDS);
    expect(detectPatternChanges(w.context({ patterns: mined.context }))).toEqual([]);
  });
});
