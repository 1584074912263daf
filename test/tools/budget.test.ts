import { describe, expect, it } from 'vitest';
import { cutText, fitPrefix, lineLimit, trimToBudget } from '../../src/tools/budget.js';

describe('reply budget', () => {
  it('cuts a long text to the limit with a marker giving the full length', () => {
    const cut = cutText('a'.repeat(1_000), 100);
    expect(cut).toHaveLength(100);
    expect(cut).toMatch(/^a+ …\[cut: 1000 chars in all\]$/);
    expect(cutText('short', 100)).toBe('short');
  });

  it('never leaves half a surrogate pair at the cut', () => {
    const text = '😀'.repeat(100);
    const cut = cutText(text, 60);
    expect(cut.length).toBeLessThanOrEqual(60);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('gives each line a share of the budget within fixed bounds', () => {
    expect(lineLimit(80_000)).toBe(4_000);
    expect(lineLimit(20_000)).toBe(1_000);
    expect(lineLimit(100)).toBe(200);
  });

  it('keeps the longest in-order prefix that fits', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ i, text: 'x'.repeat(90) }));
    const { kept, omitted } = fitPrefix(items, 500);
    expect(kept.map((x) => x.i)).toEqual([0, 1, 2, 3]);
    expect(omitted).toBe(6);
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(500);
  });

  it('trims the largest lists from the end until the whole value fits, counting what it left out', () => {
    const value = {
      title: 'keep me',
      big: Array.from({ length: 100 }, (_, i) => `big-${i}-${'z'.repeat(50)}`),
      small: ['a', 'b', 'c'],
    };
    const { value: trimmed, omitted } = trimToBudget(value, ['big', 'small'], 1_000);
    expect(JSON.stringify(trimmed).length).toBeLessThanOrEqual(1_000);
    expect(trimmed.title).toBe('keep me');
    expect(trimmed.small).toEqual(['a', 'b', 'c']);
    expect(trimmed.big[0]).toBe(value.big[0]);
    expect(omitted).toEqual({ big: 100 - trimmed.big.length });
    expect(value.big).toHaveLength(100);
  });

  it('leaves a value that already fits untouched', () => {
    const value = { list: [1, 2, 3] };
    expect(trimToBudget(value, ['list'], 1_000)).toEqual({ value, omitted: {} });
  });
});
