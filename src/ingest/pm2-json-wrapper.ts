// PM2 started with `--log-type json` writes each chunk the process wrote (not each line) as
//   {"message":<chunk>,"timestamp":<ISO or log_date_format>,"type":"out","process_id":0,"app_name":"api"}
// one wrapper per line of the file and per bus packet. The chunk may hold several lines or end
// mid-line, so the unwrapped text goes through a second line assembler.
import { parseFormattedTime } from './pm2-prefix.js';
import { parseIsoTime, plausible } from './timestamps.js';

export interface UnwrappedChunk {
  /** The chunk as the process wrote it. */
  message: string;
  /** The wrapper's time, when readable. */
  time?: number;
}

// JSON.stringify keeps PM2's key order, so a wrapper always starts like this.
const WRAPPER_START = '{"message":';

/** Unwraps one line of PM2 JSON log output; undefined when the line is not such a wrapper. */
export function unwrapPm2Json(line: string, logDateFormat: string | undefined, capturedAt: number): UnwrappedChunk | undefined {
  if (!line.startsWith(WRAPPER_START)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { message, timestamp } = parsed as { message?: unknown; timestamp?: unknown };
  if (typeof message !== 'string') return undefined;
  let time: number | undefined;
  if (typeof timestamp === 'string') {
    time = logDateFormat ? parseFormattedTime(timestamp, logDateFormat, capturedAt) : parseIsoTime(timestamp);
  }
  return time !== undefined && plausible(time, capturedAt) ? { message, time } : { message };
}
