// How a stored log entry looks to an agent: compact, redacted again, each text cut to one line's
// share of the budget. `raw` is left out: `message` is the same text made readable.
import { z } from 'zod';
import type { LogEntry } from '../core/types.js';
import { cutText } from './budget.js';
import { levelSchema, streamSchema } from './fields.js';

export const entryViewSchema = z.object({
  seq: z.number().describe('Buffer sequence number: increasing, never reused'),
  time: z.string().describe('ISO-8601 time the line was written'),
  process: z.string(),
  pmId: z.number(),
  stream: streamSchema,
  level: levelSchema,
  message: z.string().describe('Redacted text; very long lines end with a "[cut: N chars in all]" marker'),
  patternId: z.string().optional(),
  // Structured fields of a JSON line; a cut JSON string when they are too long to carry whole.
  fields: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
});

export type EntryView = z.infer<typeof entryViewSchema>;

export function presentEntry(entry: LogEntry, redact: (text: string) => string, maxChars: number): EntryView {
  const view: EntryView = {
    seq: entry.seq,
    time: new Date(entry.timestamp).toISOString(),
    process: entry.process,
    pmId: entry.pmId,
    stream: entry.stream,
    level: entry.level,
    message: cutText(redact(entry.message), maxChars),
  };
  if (entry.patternId !== undefined) view.patternId = entry.patternId;
  if (entry.fields !== undefined && Object.keys(entry.fields).length > 0) {
    const json = redact(JSON.stringify(entry.fields));
    view.fields = json.length <= maxChars ? safeParseObject(json) ?? cutText(json, maxChars) : cutText(json, maxChars);
  }
  return view;
}

function safeParseObject(json: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One readable line per entry, for text resources. */
export function entryLine(view: EntryView): string {
  return `${view.time} ${view.process}[${view.pmId}] ${view.stream} ${view.level.toUpperCase()} ${view.message}`;
}
