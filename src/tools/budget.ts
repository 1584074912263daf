// Every reply an agent reads is bounded. This module holds the one policy: cut a huge line with a
// visible marker, never the reply; trim lists from the end and say how many items were left out.

/** About 20,000 tokens at ~4 characters a token. */
export const DEFAULT_REPLY_BUDGET_CHARS = 80_000;

/** Budgets below this cannot hold a useful reply; smaller settings are raised to it. */
export const MIN_REPLY_BUDGET_CHARS = 2_000;

/** One line may take at most this share of the budget, so that a page always holds several lines. */
const LINE_SHARE = 20;
const MAX_LINE_CHARS = 4_000;
const MIN_LINE_CHARS = 200;

/** The longest single text (log line, sample, field dump) a reply carries within `budgetChars`. */
export function lineLimit(budgetChars: number): number {
  return Math.max(MIN_LINE_CHARS, Math.min(MAX_LINE_CHARS, Math.floor(budgetChars / LINE_SHARE)));
}

/** Cuts `text` to `maxChars`, ending with a marker that says how long it was. */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = ` …[cut: ${text.length} chars in all]`;
  let keep = Math.max(0, maxChars - marker.length);
  // Never split a surrogate pair: a lone half is invalid text for JSON consumers.
  const code = text.charCodeAt(keep - 1);
  if (keep > 0 && code >= 0xd800 && code <= 0xdbff) keep -= 1;
  return text.slice(0, keep) + marker;
}

function jsonSize(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/**
 * Keeps the longest prefix of `items` whose JSON fits in `budgetChars` (a comma per item included).
 * Items stay in order: a page of logs must not skip entries in the middle.
 */
export function fitPrefix<T>(items: readonly T[], budgetChars: number): { kept: T[]; omitted: number } {
  let used = 2;
  let count = 0;
  for (const item of items) {
    const size = jsonSize(item) + 1;
    if (used + size > budgetChars) break;
    used += size;
    count += 1;
  }
  return { kept: items.slice(0, count), omitted: items.length - count };
}

/**
 * Trims the named array fields of `value` from the end, largest list first, until its JSON fits in
 * `budgetChars`. Returns the trimmed copy and, per field, how many items were left out.
 */
export function trimToBudget<T extends object, K extends keyof T & string>(
  value: T,
  keys: readonly K[],
  budgetChars: number,
): { value: T; omitted: Partial<Record<K, number>> } {
  const result = { ...value };
  const omitted: Partial<Record<K, number>> = {};
  let excess = jsonSize(result) - budgetChars;
  while (excess > 0) {
    let largest: K | undefined;
    let largestSize = 0;
    for (const key of keys) {
      const list = result[key];
      if (!Array.isArray(list) || list.length === 0) continue;
      const size = jsonSize(list);
      if (size > largestSize) {
        largest = key;
        largestSize = size;
      }
    }
    if (largest === undefined) break;
    const list = result[largest] as unknown[];
    // Drop just enough items from the end of the largest list to cover the excess, or all of them.
    let drop = 0;
    let freed = 0;
    while (drop < list.length && freed < excess) {
      freed += jsonSize(list[list.length - 1 - drop]) + 1;
      drop += 1;
    }
    (result[largest] as unknown[]) = list.slice(0, list.length - drop);
    omitted[largest] = (omitted[largest] ?? 0) + drop;
    excess = jsonSize(result) - budgetChars;
  }
  return { value: result, omitted };
}
