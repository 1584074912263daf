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

const MESSAGE_KEYS = ['msg', 'message'] as const;
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'log.level'] as const;
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts'] as const;
const ERROR_KEYS = ['err', 'error'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  const fields: Record<string, unknown> = { ...parsed };

  let message: string | undefined;
  for (const key of MESSAGE_KEYS) {
    const value = fields[key];
    if (value === undefined) continue;
    message = typeof value === 'string' ? value : JSON.stringify(value);
    delete fields[key];
    break;
  }

  let level: Level | undefined;
  for (const key of LEVEL_KEYS) {
    const found = levelFromValue(fields[key]);
    if (found) {
      level = found;
      delete fields[key];
      break;
    }
  }

  let time: number | undefined;
  for (const key of TIME_KEYS) {
    if (fields[key] === undefined) continue;
    time = timeFromValue(fields[key], capturedAt);
    if (time !== undefined) {
      delete fields[key];
      break;
    }
  }

  const stacks: string[] = [];
  // winston's format.errors({ stack: true }) puts the stack at the top level.
  if (typeof fields.stack === 'string') {
    stacks.push(fields.stack);
    delete fields.stack;
  }
  for (const key of ERROR_KEYS) {
    const value = fields[key];
    if (isObject(value) && typeof value.stack === 'string') {
      stacks.push(value.stack);
      const rest = { ...value };
      delete rest.stack;
      fields[key] = rest;
    }
  }

  const hasMessage = message !== undefined;
  let combined = message ?? '';
  for (const stack of stacks) combined = combined.length === 0 ? stack : `${combined}\n${stack}`;
  if (combined.length === 0 && !hasMessage) combined = text;

  const result: JsonLine = { message: combined, hasMessage, hasStack: stacks.length > 0 };
  if (level) result.level = level;
  if (time !== undefined) result.time = time;
  if (Object.keys(fields).length > 0) result.fields = fields;
  return result;
}
