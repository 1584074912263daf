// The miner's state as plain JSON, and its validation on the way back in. Templates are listed least
// recently used first, so that reloading them in order rebuilds the same recency.
import { z } from 'zod';
import { LEVELS } from '../../core/types.js';
import type { Pattern } from './shape.js';
import type { PatternStats } from './pattern-stats.js';

export const MINER_STATE_VERSION = 1;

const count = z.number().int().nonnegative();
const time = z.number().finite();

const templateSchema = z.object({
  id: z.string().min(1).max(64),
  /** The first shape is the one the pattern is shown as. */
  shapes: z.array(z.object({ tokens: z.array(z.string()).min(1), count })).min(1),
  count: count.min(1),
  firstSeen: time,
  lastSeen: time,
  processes: z.array(z.tuple([z.string(), count])),
  levels: z.partialRecord(z.enum(LEVELS as [string, ...string[]]), count),
  examples: z.array(z.string()),
  wildcards: z.array(z.tuple([count, z.array(z.tuple([z.string(), count]))])),
  perMinute: z.array(z.tuple([time, count])),
});

const stateSchema = z.object({
  version: z.literal(MINER_STATE_VERSION),
  templates: z.array(templateSchema),
  aliases: z.array(z.tuple([z.string(), z.string()])),
});

export type SavedTemplate = z.infer<typeof templateSchema>;
export type MinerState = z.infer<typeof stateSchema>;

export class MinerStateError extends Error {
  override name = 'MinerStateError';
}

export function writeMinerState(oldestFirst: readonly Pattern[], aliases: ReadonlyMap<string, string>): MinerState {
  return {
    version: MINER_STATE_VERSION,
    templates: oldestFirst.map((c) => ({
      id: c.id,
      shapes: c.shapes.map((s) => ({ tokens: [...s.tokens], count: s.count })),
      count: c.stats.count,
      firstSeen: c.stats.firstSeen,
      lastSeen: c.stats.lastSeen,
      processes: [...c.stats.processes],
      levels: { ...c.stats.levels },
      examples: [...c.stats.examples],
      wildcards: [...c.stats.wildcards].map(([p, top]) => [p, [...top.counts]]),
      perMinute: c.stats.perMinute.map(([m, n]) => [m, n]),
    })),
    aliases: [...aliases],
  };
}

export interface RestoredTemplate {
  id: string;
  shapes: Array<{ tokens: string[]; count: number }>;
  restore(stats: PatternStats): void;
}

/** Validates a saved state; throws MinerStateError naming the first bad field. */
export function readMinerState(state: unknown): { templates: RestoredTemplate[]; aliases: Array<[string, string]> } {
  const parsed = stateSchema.safeParse(state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'state';
    throw new MinerStateError(`invalid miner state at ${where}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const t of parsed.data.templates) {
    if (seen.has(t.id)) throw new MinerStateError(`invalid miner state: duplicate template id ${t.id}`);
    seen.add(t.id);
  }
  return {
    aliases: parsed.data.aliases,
    templates: parsed.data.templates.map((t) => ({
      id: t.id,
      shapes: t.shapes,
      restore(stats: PatternStats): void {
        stats.count = t.count;
        stats.firstSeen = t.firstSeen;
        stats.lastSeen = t.lastSeen;
        for (const [name, n] of t.processes) stats.addProcess(name, n);
        Object.assign(stats.levels, t.levels);
        for (const e of t.examples) stats.addExample(e);
        for (const [position, values] of t.wildcards) for (const [v, n] of values) stats.addValue(position, v, n);
        for (const [minute, n] of t.perMinute) stats.addMinute(minute, n);
      },
    })),
  };
}
