import { describe, expect, it } from 'vitest';
import { indexOfSeq } from '../../src/analysis/seq-index.js';

describe('indexOfSeq', () => {
  const entries = [3, 4, 7, 10, 11].map((seq) => ({ seq }));

  it('finds every seq of the window, first and last included', () => {
    expect(entries.map((e) => indexOfSeq(entries, e.seq))).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives -1 for a seq in a gap, before, after, or in an empty window', () => {
    expect([5, 2, 12].map((seq) => indexOfSeq(entries, seq))).toEqual([-1, -1, -1]);
    expect(indexOfSeq([], 1)).toBe(-1);
  });
});
