// One record (a line, or a multi-line record from the grouper) into a NewEntry: time, level,
// message, structured fields. Never throws: log text is untrusted and may be anything.
import type { Level, NewEntry } from '../core/types.js';
import { cleanText, showControls } from './control-chars.js';
import { parseJsonLine } from './json-line.js';
import { defaultLevel, levelOfText } from './levels.js';
import { textTimestamp } from './timestamps.js';

/** Where a record came from. One per process and stream. */
export interface SourceContext extends Pick<NewEntry, 'process' | 'pmId' | 'pid' | 'instance' | 'namespace' | 'stream'> {
  /** PM2's `log_date_format` (`--time` sets `YYYY-MM-DDTHH:mm:ss`): every line starts with that date and `: `. */
  logDateFormat?: string;
  /** PM2's `--log-type json`: every chunk comes wrapped in `{"message": ..., "timestamp": ...}`. */
  jsonWrapped?: boolean;
}

/** Controls (tab and newline among them), `:`, `=`, `[` and capital letters: see parseEntry. */
const MAY_CARRY_MORE = /[\u0000-\u001f\u007f-\u009f:=[A-Z]/;

function firstLineOf(text: string): string {
  const newline = text.indexOf('\n');
  return newline === -1 ? text : text.slice(0, newline);
}

function entryOf(source: SourceContext, timestamp: number, level: Level, message: string, raw: string): NewEntry {
  const entry: NewEntry = { timestamp, process: source.process, pmId: source.pmId, stream: source.stream, level, message, raw };
  if (source.pid !== undefined) entry.pid = source.pid;
  if (source.instance !== undefined) entry.instance = source.instance;
  if (source.namespace !== undefined) entry.namespace = source.namespace;
  return entry;
}

/**
 * Parses one record. `record` is text after line assembly, grouping and PM2 prefix / JSON wrapper
 * removal (the pipeline does those: they need the lines around it); `prefixTime` is the time that
 * prefix or wrapper gave. The entry's `raw` is `record`; the pipeline puts the captured text back.
 *
 * Time: a JSON log line's own time field, else `prefixTime`, else a time at the start of the text
 * (ISO-8601, syslog, `[HH:mm:ss.SSS]`) or a common-log-format time near it, else `capturedAt`.
 * Level: a JSON level field, else a text marker, else the shape of an error or warning, else the
 * stream's default (out: info, err: warn; see levels.ts for why).
 */
export function parseEntry(record: string, source: SourceContext, capturedAt: number, prefixTime?: number): NewEntry {
  try {
    const json = record.charCodeAt(0) === 123 || record.charCodeAt(0) === 32 ? parseJsonLine(record, capturedAt) : undefined;
    if (json) {
      const message = cleanText(json.message);
      const level = json.level ?? (json.hasStack ? 'error' : levelOfText(message, firstLineOf(message), source.stream));
      const entry = entryOf(source, json.time ?? prefixTime ?? capturedAt, level, message, record);
      if (json.fields) entry.fields = json.fields;
      return entry;
    }
    // Most lines carry nothing to find: no control character or escape (cleanText), no second line,
    // no time (every form textTimestamp reads has a `:` or a `[`), no level marker (levels.ts needs a
    // `[`, `:` or `=`, or a capital letter) and no error shape (a capital, or a second line). One scan
    // for any of those saves a dozen; a change to what those modules look for must keep this true.
    if (!MAY_CARRY_MORE.test(record)) {
      return entryOf(source, prefixTime ?? capturedAt, defaultLevel(source.stream), record, record);
    }
    const message = cleanText(record);
    const firstLine = firstLineOf(message);
    const timestamp = prefixTime ?? textTimestamp(firstLine, capturedAt) ?? capturedAt;
    return entryOf(source, timestamp, levelOfText(message, firstLine, source.stream), message, record);
  } catch {
    // Only a bug gets here; keep the text rather than lose it.
    return entryOf(source, prefixTime ?? capturedAt, defaultLevel(source.stream), showControls(String(record)), String(record));
  }
}
