// Structured log lines from pino, winston (format.json) and bunyan: one JSON object per line. The
// message, level and time come out of their fields; an error's stack is appended to the message
// (that is where people and the pattern miner look); every other field is kept.
import type { Level } from '../core/types.js';
import { levelFromValue } from './levels.js';
import { timeFromValue } from './timestamps.js';

export interface JsonLine {
  message: string;
  /** True when the object had a message field (else `message` is the line itself). */
  hasMessage: boolean;
  level?: Level;
  time?: number;
  /** True when an error stack was appended to the message. */
  hasStack: boolean;
  fields?: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An error object (pino/bunyan `err`, winston `error`) minus its stack, which goes to `stacks`. */
function withoutStack(value: unknown, stacks: string[]): unknown {
  if (!isObject(value) || typeof value.stack !== 'string') return value;
  stacks.push(value.stack);
  const rest: Record<string, unknown> = {};
  for (const key in value) if (key !== 'stack') rest[key] = value[key];
  return rest;
}

/** Cheap test before JSON.parse: `{"` first (JS object dumps have unquoted keys) and `}` last. */
function mayBeJsonObject(text: string): boolean {
  let start = 0;
  while (text.charCodeAt(start) === 32) start++;
  if (text.charCodeAt(start) !== 123) return false;
  start++;
  while (text.charCodeAt(start) === 32) start++;
  const second = text.charCodeAt(start);
  if (second !== 34 && second !== 125) return false;
  let end = text.length - 1;
  while (end > start && (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 10)) end--;
  return text.charCodeAt(end) === 125;
}

/** Parses a JSON log line; undefined when `text` is not one JSON object. */
export function parseJsonLine(text: string, capturedAt: number): JsonLine | undefined {
  if (!mayBeJsonObject(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  // One pass over the keys: the first message, level and time key found is taken, the rest kept.
  const fields: Record<string, unknown> = {};
  const stacks: string[] = [];
  let kept = 0;
  let message: string | undefined;
  let level: Level | undefined;
  let time: number | undefined;
  for (const key in parsed) {
    const value = parsed[key];
    // A switch on the key, not a lookup per set: JSON.parse gives internalized keys, so each case is
    // a pointer comparison. Each key names at most one of message, level, time, stack or error.
    switch (key) {
      case 'msg':
      case 'message':
        if (message === undefined) {
          message = typeof value === 'string' ? value : JSON.stringify(value);
          continue;
        }
        break;
      case 'level':
      case 'severity':
      case 'lvl':
      case 'log.level':
        if (level === undefined) {
          level = levelFromValue(value);
          if (level) continue;
        }
        break;
      case 'time':
      case 'timestamp':
      case '@timestamp':
      case 'ts':
        if (time === undefined) {
          time = timeFromValue(value, capturedAt);
          if (time !== undefined) continue;
        }
        break;
      // winston's format.errors({ stack: true }) puts the stack at the top level.
      case 'stack':
        if (typeof value === 'string') {
          stacks.push(value);
          continue;
        }
        break;
      case 'err':
      case 'error':
        fields[key] = withoutStack(value, stacks);
        kept++;
        continue;
    }
    fields[key] = value;
    kept++;
  }

  const hasMessage = message !== undefined;
  let combined = message ?? '';
  for (const stack of stacks) combined = combined.length === 0 ? stack : `${combined}\n${stack}`;
  if (combined.length === 0 && !hasMessage) combined = text;

  const result: JsonLine = { message: combined, hasMessage, hasStack: stacks.length > 0 };
  if (level) result.level = level;
  if (time !== undefined) result.time = time;
  if (kept > 0) result.fields = fields;
  return result;
}
