// Pulls a request duration (and its route) out of one entry: JSON fields of pino-http, morgan JSON and
// the like (`responseTime`, `response_time`, `duration`, ...), morgan/express text lines
// (`GET /api/x 200 12.3 ms - 13`, `GET /x 200 13 - 4.1 ms`) and phrases such as `took 1.2s`.
// A bare number with a unit counts only on a request line: "retry in 500ms" is not a latency.
import type { LogEntry } from '../../core/types.js';

export interface LatencyHit {
  ms: number;
  method?: string;
  /** Route template: ids and numbers masked, query dropped (`/users/<*>`). */
  route?: string;
  status?: number;
}

const FIELD_NAMES = ['responseTime', 'response_time', 'durationMs', 'duration_ms', 'duration', 'elapsed', 'elapsedMs', 'latency', 'latencyMs', 'took'];
const REQUEST = /\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+"?(\/[^\s"?]*)(?:\?[^\s"]*)?(?:\s+HTTP\/[\d.]+"?)?\s+(\d{3})\b/;
const UNIT_DURATION = /(\d+(?:\.\d+)?)\s?(ms|milliseconds|s|sec|seconds|µs|us)\b/g;
const UNITS = '(ms|milliseconds|s|sec|seconds|µs|us)';
/** "took 1.2s", "completed in 80 ms": the unit is required, "took 3 attempts" is not a duration. */
const PHRASE = new RegExp(`\\b(?:took|completed in|finished in|responded in|processed in)\\s+(\\d+(?:\\.\\d+)?)\\s?${UNITS}\\b`, 'i');
/** "duration=123", "responseTime: 45ms" (logfmt and key: value text): milliseconds when no unit. */
const KEY_VALUE = new RegExp(`\\b(?:duration|elapsed|latency|response[ _-]?time)(?:_?ms)?["']?\\s*[:=]\\s*(\\d+(?:\\.\\d+)?)\\s?${UNITS}?\\b`, 'i');
/** Case-sensitive on purpose (it runs on every entry): the capitalized variants are listed instead. */
const PREFILTER = /\d ?(?:ms|s|sec|seconds|milliseconds|µs|us)\b|[Tt]ook|[Dd]uration|[Ee]lapsed|[Ll]atency|[Rr]esponse/;

function toMs(value: number, unit: string | undefined): number {
  switch (unit?.toLowerCase()) {
    case 's':
    case 'sec':
    case 'seconds':
      return value * 1000;
    case 'µs':
    case 'us':
      return value / 1000;
    default:
      return value;
  }
}

/** `12.3ms`, `1.2s`, `450` (ms), or a number. */
function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s?(ms|milliseconds|s|sec|seconds|µs|us)?\s*$/i.exec(value);
  return m ? toMs(Number(m[1]), m[2]) : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_ID = /^[0-9a-f]{8,}$/i;
const TOKEN = /^[\w-]{16,}$/;

/** Whether a segment with digits is an id rather than a name: a number, uuid, hex id, or long token. */
function isIdSegment(segment: string, digits: number): boolean {
  if (digits === segment.length) return true;
  return UUID.test(segment) || (segment.length >= 8 && HEX_ID.test(segment)) || (segment.length >= 16 && TOKEN.test(segment));
}

/** Masks the id segments of a path and drops its query: `/users/42?x=1` -> `/users/<*>`. Runs once per request line. */
export function routeTemplate(path: string): string {
  let end = path.length;
  const q = path.indexOf('?');
  if (q >= 0) end = q;
  const h = path.indexOf('#');
  if (h >= 0 && h < end) end = h;
  let out = '';
  let copied = 0;
  let start = 0;
  let digits = 0;
  let at = false;
  let segments = 0;
  for (let i = 0; i <= end; i++) {
    const c = i < end ? path.charCodeAt(i) : 47;
    if (c !== 47) {
      if (c >= 48 && c <= 57) digits++;
      else if (c === 64) at = true;
      continue;
    }
    // Most segments hold no digit and no '@': they are names, decided without a regular expression.
    if (i > start && (at || (digits > 0 && isIdSegment(path.slice(start, i), digits)))) {
      out += `${path.slice(copied, start)}<*>`;
      copied = i;
    }
    start = i + 1;
    digits = 0;
    at = false;
    if (++segments > 8) {
      end = i;
      break;
    }
  }
  out += path.slice(copied, end);
  return out || '/';
}

function field(fields: Record<string, unknown>, name: string): unknown {
  return fields[name];
}

function nested(fields: Record<string, unknown>, outer: string, inner: string): unknown {
  const o = fields[outer];
  return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[inner] : undefined;
}

function fromFields(fields: Record<string, unknown>): LatencyHit | undefined {
  let ms: number | undefined;
  for (const name of FIELD_NAMES) {
    ms = parseDuration(field(fields, name));
    if (ms !== undefined) break;
  }
  if (ms === undefined) return undefined;
  const path = field(fields, 'url') ?? field(fields, 'path') ?? field(fields, 'route') ?? nested(fields, 'req', 'url');
  const method = field(fields, 'method') ?? nested(fields, 'req', 'method');
  const status = field(fields, 'status') ?? field(fields, 'statusCode') ?? nested(fields, 'res', 'statusCode');
  const hit: LatencyHit = { ms };
  if (typeof path === 'string' && path.startsWith('/')) hit.route = routeTemplate(path);
  if (typeof method === 'string') hit.method = method.toUpperCase();
  if (typeof status === 'number') hit.status = status;
  return hit;
}

function fromText(message: string): LatencyHit | undefined {
  if (!PREFILTER.test(message)) return undefined;
  const request = REQUEST.exec(message);
  if (request) {
    const after = request.index + request[0].length;
    let last: RegExpExecArray | null = null;
    UNIT_DURATION.lastIndex = after;
    for (let m = UNIT_DURATION.exec(message); m; m = UNIT_DURATION.exec(message)) last = m;
    if (last) return { ms: toMs(Number(last[1]), last[2]), method: request[1], route: routeTemplate(request[2]), status: Number(request[3]) };
    const rest = message.slice(after);
    const phrase = PHRASE.exec(rest) ?? KEY_VALUE.exec(rest);
    if (!phrase) return undefined;
    return { ms: toMs(Number(phrase[1]), phrase[2]), method: request[1], route: routeTemplate(request[2]), status: Number(request[3]) };
  }
  const phrase = PHRASE.exec(message) ?? KEY_VALUE.exec(message);
  return phrase ? { ms: toMs(Number(phrase[1]), phrase[2]) } : undefined;
}

export function extractLatency(entry: LogEntry): LatencyHit | undefined {
  if (entry.fields) {
    const hit = fromFields(entry.fields);
    if (hit) {
      if (hit.route === undefined) {
        const text = fromText(entry.message);
        if (text?.route) return { ...text, ms: hit.ms };
      }
      return hit;
    }
  }
  return fromText(entry.message);
}
