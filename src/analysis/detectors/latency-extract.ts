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
const PREFILTER = /\d\s?(?:ms|s|sec|seconds|milliseconds|µs|us)\b|took|duration|elapsed|latency|response[ _-]?time/i;

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

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27}|(?=[0-9a-f]*\d)[0-9a-f]{8,}|(?=[\w-]*\d)[\w-]{16,}|[^@/]+@[^@/]+)$/i;

export function routeTemplate(path: string): string {
  const clean = path.split(/[?#]/, 1)[0];
  const segments = clean.split('/').slice(0, 9);
  return segments.map((s) => (ID_SEGMENT.test(s) ? '<*>' : s)).join('/') || '/';
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
    const rest = message.slice(request.index + request[0].length);
    let last: RegExpExecArray | null = null;
    UNIT_DURATION.lastIndex = 0;
    for (let m = UNIT_DURATION.exec(rest); m; m = UNIT_DURATION.exec(rest)) last = m;
    const phrase = last ? undefined : (PHRASE.exec(rest) ?? KEY_VALUE.exec(rest));
    const ms = last ? toMs(Number(last[1]), last[2]) : phrase ? toMs(Number(phrase[1]), phrase[2]) : undefined;
    if (ms === undefined) return undefined;
    return { ms, method: request[1], route: routeTemplate(request[2]), status: Number(request[3]) };
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
