// "since"/"until" as people and models write them: ISO-8601 instants, epoch milliseconds, or a
// duration back from now ("90s", "15m", "2h", "1d", "1w").

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export class TimeSpecError extends Error {
  override name = 'TimeSpecError';
}

/** Milliseconds since the epoch for `spec`, relative durations counted back from `now`. */
export function parseTimeSpec(spec: string, now: number): number {
  const text = spec.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)(?:\s*ago)?$/i.exec(text);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()];
  if (/^\d{12,14}$/.test(text)) return Number(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (Number.isFinite(at)) return at;
  }
  throw new TimeSpecError(`cannot read time ${JSON.stringify(spec)}: use an ISO-8601 time (2026-12-04T10:00:00Z) or a duration back from now (15m, 2h, 1d)`);
}

/** parseTimeSpec for an optional field: absent stays absent. */
export function parseOptionalTime(spec: string | undefined, now: number): number | undefined {
  return spec === undefined ? undefined : parseTimeSpec(spec, now);
}

/** since/until as the engine wants them; a window that ends before it starts is refused. */
export function parseTimeRange(range: { since?: string; until?: string }, now: number): { since?: number; until?: number } {
  const since = parseOptionalTime(range.since, now);
  const until = parseOptionalTime(range.until, now);
  if (since !== undefined && until !== undefined && until <= since) {
    throw new RangeError(`until (${new Date(until).toISOString()}) is not after since (${new Date(since).toISOString()}): swap them or widen the window`);
  }
  return { since, until };
}
