// Heuristic analysis of a 100,000-entry window (template mining + every detector), against a baseline
// that only counts levels, in the same process. Usage: node --import tsx bench/analyze.ts [entries] [runs]
import { performance } from 'node:perf_hooks';
import { analyzeWindow } from '../src/analysis/analyze.js';
import { TemplateMiner } from '../src/analysis/miner/template-miner.js';
import type { Level, LogEntry, MetricSample, ProcessEvent } from '../src/core/types.js';

const ENTRIES = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 5);
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const SPAN_MS = 60 * 60_000;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STACK = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at getProfile (/app/src/handler.js:42:25)',
  '    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

/** A busy app with an incident in the middle: postgres refuses connections for five minutes. */
function makeWindow(n: number): { entries: LogEntry[]; samples: MetricSample[]; events: ProcessEvent[] } {
  const rnd = lcg(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const routes = ['/users/', '/products/', '/orders/', '/cart', '/search?q=', '/health'];
  const entries: LogEntry[] = [];
  for (let i = 0; i < n; i++) {
    const at = T0 + Math.floor((i / n) * SPAN_MS);
    const incident = at > T0 + 30 * 60_000 && at < T0 + 35 * 60_000;
    const r = rnd();
    let process = 'api';
    let level: Level = 'info';
    let message: string;
    let fields: Record<string, unknown> | undefined;
    if (incident && r < 0.2) {
      level = 'error';
      message = `Error: connect ECONNREFUSED 127.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)`;
    } else if (r < 0.55) {
      const route = pick(routes);
      const path = route.endsWith('/') || route.endsWith('=') ? `${route}${Math.floor(rnd() * 10_000)}` : route;
      message = `${pick(['GET', 'GET', 'POST', 'PUT'])} ${path} ${rnd() < 0.02 ? 404 : 200} ${(1 + rnd() * 120).toFixed(3)} ms - ${Math.floor(rnd() * 5000)}`;
    } else if (r < 0.7) {
      message = 'request completed';
      fields = { responseTime: Math.floor(rnd() * 300), req: { method: 'GET', url: `/api/items/${Math.floor(rnd() * 1000)}` }, res: { statusCode: 200 } };
    } else if (r < 0.85) {
      process = 'worker';
      message = pick([
        `job ${Math.floor(rnd() * 1e6)} done (email.send) in ${Math.floor(rnd() * 90)}ms`,
        `picked ${Math.floor(rnd() * 50)} jobs from queue mail`,
        `retrying job ${Math.floor(rnd() * 1e6)} in 500ms (attempt ${Math.floor(rnd() * 5)})`,
      ]);
    } else if (r < 0.95) {
      process = 'cron';
      message = pick([`synced ${Math.floor(rnd() * 900)} products from erp`, `cleanup removed ${Math.floor(rnd() * 40)} sessions`, 'heartbeat ok']);
    } else if (r < 0.99) {
      level = 'warn';
      message = pick([`Rate limit close for client 10.0.${Math.floor(rnd() * 9)}.${Math.floor(rnd() * 200)}`, 'DeprecationWarning: Buffer() is deprecated']);
    } else {
      level = 'error';
      message = rnd() < 0.5 ? STACK : `Failed to charge card ${Math.floor(rnd() * 1e6)}: gateway returned 502`;
    }
    const entry: LogEntry = { seq: i + 1, timestamp: at, process, pmId: process === 'api' ? Math.floor(rnd() * 2) : process === 'worker' ? 2 : 3, stream: level === 'error' ? 'err' : 'out', level, message, raw: message };
    if (fields) entry.fields = fields;
    entries.push(entry);
  }
  const samples: MetricSample[] = [];
  for (let t = 0; t <= SPAN_MS; t += 10_000) {
    for (const [pmId, process] of [[0, 'api'], [1, 'api'], [2, 'worker'], [3, 'cron']] as const) {
      samples.push({ at: T0 + t, pmId, process, cpu: 20 + rnd() * 30, memory: 120e6 + (process === 'worker' ? t * 20 : rnd() * 5e6), restarts: 0, uptimeMs: t + 1e6, status: 'online' });
    }
  }
  const events: ProcessEvent[] = [];
  for (const m of [31, 32, 33]) events.push({ at: T0 + m * 60_000, kind: 'exit', pmId: 0, process: 'api', exitCode: 1, signal: 'SIGINT' });
  return { entries, samples, events };
}

function countLevels(entries: readonly LogEntry[]): Record<Level, number> {
  const counts: Record<Level, number> = { error: 0, warn: 0, info: 0, debug: 0 };
  for (const e of entries) counts[e.level]++;
  return counts;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and CPU time of `runs` runs after one warm-up; CPU time is steadier on a shared machine. */
function time(runs: number, fn: () => unknown): { wall: number; cpu: number } {
  fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const used = process.cpuUsage();
    fn();
    const spent = process.cpuUsage(used);
    wall.push(performance.now() - start);
    cpu.push((spent.user + spent.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const window = makeWindow(ENTRIES);
const now = T0 + SPAN_MS;
// Entries tagged by a live miner, as the capture path does: the analysis then only runs the detectors.
const live = new TemplateMiner({ now: () => now });
// A second copy of the same window (same seed), tagged in place as the buffer would hand it over.
const tagged = makeWindow(ENTRIES).entries;
for (const e of tagged) e.patternId = live.add(e.message, { timestamp: e.timestamp, process: e.process, level: e.level, seq: e.seq }).id;

let findings = 0;
let patterns = 0;
const rows: Array<[string, { wall: number; cpu: number }]> = [
  ['baseline: count levels', time(RUNS, () => countLevels(window.entries))],
  ['miner only (fresh, add every entry)', time(RUNS, () => {
    const m = new TemplateMiner({ now: () => now });
    for (const e of window.entries) m.add(e.message);
  })],
  ['analyzeWindow, fresh miner', time(RUNS, () => {
    const r = analyzeWindow({ ...window, now });
    findings = r.findings.length;
    patterns = r.patterns.length;
  })],
  ['analyzeWindow, live miner (tagged entries)', time(RUNS, () => analyzeWindow({ ...window, entries: tagged, miner: live, now }))],
];

const base = rows[0][1];
process.stdout.write(`analysis of ${ENTRIES.toLocaleString('en')} entries, ${window.samples.length} samples, median of ${RUNS} runs (Node ${process.version})\n`);
process.stdout.write(`${'case'.padEnd(44)}${'wall ms'.padStart(10)}${'cpu ms'.padStart(10)}${'entries/s'.padStart(13)}${'x baseline'.padStart(12)}\n`);
for (const [name, t] of rows) {
  const perSecond = Math.round(ENTRIES / (t.wall / 1000)).toLocaleString('en');
  process.stdout.write(`${name.padEnd(44)}${t.wall.toFixed(1).padStart(10)}${t.cpu.toFixed(1).padStart(10)}${perSecond.padStart(13)}${(t.wall / base.wall).toFixed(0).padStart(12)}\n`);
}
process.stdout.write(`findings: ${findings}, patterns returned: ${patterns}\n`);
