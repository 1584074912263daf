// Times written by the process itself: at the start of a text line, in common log formats, or in a
// JSON field. A time without a zone is local time (the daemon and the monitor share a machine).

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

/** Earliest time accepted from log text: anything older is a number that only looks like a time. */
const EARLIEST = Date.UTC(2000, 0, 1);
/** How far past the capture time a written time may lie (clock skew, zone mistakes). */
const FUTURE_SLACK_MS = 86_400_000;

// 2026-12-04T19:16:21.123Z, 2026-12-04 19:16:21,123 +01:00, 2026/12/04 19:16:21 (Go's log package).
const ISO = /^(\d{4})[-/](\d\d)[-/](\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)? ?(Z|[+-]\d\d(?::?\d\d)?)?/;
// [19:16:21.123] as pino-pretty prints by default: a time of day without a date.
const TIME_OF_DAY = /^\[(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?\]/;
// Apache/nginx/morgan common and combined log format: [04/Dec/2026:19:16:21 +0000].
const CLF = /\[(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\]/;
// Syslog: "Dec  4 19:16:21" (no year, local time).
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)\b/;
const NUMERIC = /^\d+(?:\.\d+)?$/;

/** How much of a line is searched for a common-log-format time. */
const HEAD_CHARS = 160;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Milliseconds from a fraction written with 1 to 9 digits. */
function fractionMs(digits: string | undefined): number {
  if (!digits) return 0;
  return Number((digits + '00').slice(0, 3));
}

/** Minutes east of UTC from `Z`, `+01:00`, `+0100` or `+01`. */
export function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.charCodeAt(0) === 45 ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length >= 4 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

/** A wall-clock time as ms since the epoch: in `zone` when given, else in local time. */
export function wallClock(
  year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, zone?: string,
): number {
  if (month < 0 || month > 11 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  if (zone === undefined) return new Date(year, month, day, hour, minute, second, ms).getTime();
  return Date.UTC(year, month, day, hour, minute, second, ms) - zoneOffsetMinutes(zone) * 60_000;
}

/** True when `ms` can be the time a line was written, captured at `capturedAt`. */
export function plausible(ms: number, capturedAt: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= capturedAt + FUTURE_SLACK_MS;
}

function fromIso(match: RegExpExecArray): number {
  return wallClock(
    Number(match[1]), Number(match[2]) - 1, Number(match[3]),
    Number(match[4]), Number(match[5]), Number(match[6] ?? 0), fractionMs(match[7]), match[8],
  );
}

/** An ISO-8601-like string (the whole value or its start) as ms, or undefined. */
export function parseIsoTime(text: string): number | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const ms = fromIso(match);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An epoch number in s, ms, µs or ns, told apart by magnitude. */
export function epochToMs(value: number): number {
  const abs = Math.abs(value);
  if (abs < 1e11) return value * 1000; // seconds (until year 5138)
  if (abs < 1e14) return value; // milliseconds
  if (abs < 1e17) return value / 1000; // microseconds
  return value / 1e6; // nanoseconds
}

/** A JSON time field (`time`, `timestamp`...): epoch number, numeric string, or ISO string. */
export function timeFromValue(value: unknown, capturedAt: number): number | undefined {
  let ms: number | undefined;
  if (typeof value === 'number') ms = epochToMs(value);
  else if (typeof value === 'string') {
    if (NUMERIC.test(value)) ms = epochToMs(Number(value));
    else ms = parseIsoTime(value) ?? (value.length >= 12 && value.length <= 40 ? Date.parse(value) : undefined);
  }
  return ms !== undefined && plausible(ms, capturedAt) ? Math.round(ms) : undefined;
}

function timeOfDay(match: RegExpExecArray, capturedAt: number): number {
  const day = new Date(capturedAt);
  let ms = new Date(
    day.getFullYear(), day.getMonth(), day.getDate(),
    Number(match[1]), Number(match[2]), Number(match[3]), fractionMs(match[4]),
  ).getTime();
  // Written just before midnight, captured just after.
  if (ms > capturedAt + 60_000) ms -= 86_400_000;
  return ms;
}

function syslogTime(match: RegExpExecArray, capturedAt: number): number {
  const month = MONTHS[match[1]];
  if (month === undefined) return NaN;
  const year = new Date(capturedAt).getFullYear();
  const ms = wallClock(year, month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]), 0);
  // A December line read in January belongs to last year.
  return ms > capturedAt + FUTURE_SLACK_MS ? wallClock(year - 1, month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5]), 0) : ms;
}

/**
 * The time a text line carries, or undefined. Looked for where loggers put it, so that a date in
 * the middle of a message is not taken for the line's time: at the very start (optionally after `[`
 * or `"`), or as a bracketed common-log-format time near the start.
 */
export function textTimestamp(line: string, capturedAt: number): number | undefined {
  const first = line.charCodeAt(0);
  let ms = NaN;
  if (isDigit(first)) {
    const match = ISO.exec(line);
    if (match) ms = fromIso(match);
  } else if ((first === 91 || first === 34) && isDigit(line.charCodeAt(1))) {
    const rest = line.slice(1, 40);
    const match = ISO.exec(rest);
    if (match) ms = fromIso(match);
    else if (first === 91) {
      const time = TIME_OF_DAY.exec(line);
      if (time) ms = timeOfDay(time, capturedAt);
    }
  } else if (first >= 65 && first <= 90 && line.charCodeAt(3) === 32) {
    const match = SYSLOG.exec(line);
    if (match) ms = syslogTime(match, capturedAt);
  }
  if (Number.isNaN(ms)) {
    const head = line.length > HEAD_CHARS ? line.slice(0, HEAD_CHARS) : line;
    if (head.indexOf('/') !== -1 && head.indexOf('[') !== -1) {
      const match = CLF.exec(head);
      const month = match ? MONTHS[match[2]] : undefined;
      if (match && month !== undefined) {
        ms = wallClock(Number(match[3]), month, Number(match[1]), Number(match[4]), Number(match[5]), Number(match[6]), 0, match[7]);
      }
    }
  }
  return plausible(ms, capturedAt) ? ms : undefined;
}
