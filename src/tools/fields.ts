// Input fields shared by several tools, with the same bounds and descriptions everywhere.
import { z } from 'zod';
import { LEVELS } from '../core/types.js';
import type { Level, Stream } from '../core/types.js';

export { parseOptionalTime, parseTimeRange } from '../core/time-spec.js';

export const levelSchema = z.enum(LEVELS as [Level, ...Level[]]);
export const streamSchema = z.enum(['out', 'err', 'pm2'] satisfies [Stream, ...Stream[]]);

export const processName = z.string().min(1).max(200);
export const processList = z.array(processName).min(1).max(100);

const TIME_HELP = 'ISO-8601 time (2026-12-04T19:00:00Z) or a duration back from now: 30s, 15m, 2h, 1d, 1w';

export const sinceField = z
  .string()
  .min(1)
  .max(64)
  .describe(`Start of the window (inclusive): ${TIME_HELP}`);
export const untilField = z
  .string()
  .min(1)
  .max(64)
  .describe(`End of the window (exclusive): ${TIME_HELP}; default now`);

export const monitorIdField = z.string().min(1).max(100).describe('Monitor id returned by start_monitor');

/** A single value or a list, so that `"error"` and `["error","warn"]` both work. */
export function oneOrMany<T extends z.ZodType>(item: T, max: number) {
  return z.union([item, z.array(item).min(1).max(max)]);
}

export function asList<T>(value: T | T[] | undefined): T[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** Rejects a regular expression that does not compile, naming the field. */
export function checkRegex(source: string, field: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (error) {
    return `${field} is not a valid regular expression: ${(error as Error).message}`;
  }
}
