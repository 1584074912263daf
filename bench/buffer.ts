// Buffer benchmark: append throughput with group commit against plain appendFileSync of JSON lines,
// recovery of a full buffer against reading and parsing the same JSON lines, query time over 100,000
// entries against a naive Array.filter, and RSS (after a full GC) while appending 10x the capacity.
// Run: node --import tsx --expose-gc bench/buffer.ts [--quick] [append|memory|query|recovery ...]
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogBuffer } from '../src/buffer/log-buffer.js';
import type { Level, LogQuery, NewEntry } from '../src/core/types.js';

const quick = process.argv.includes('--quick');
const CAPACITY = 100_000;
const APPENDED = quick ? 300_000 : 10 * CAPACITY;
const BATCH = 1000;
const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const PROCESSES = ['api', 'worker', 'billing', 'mailer', 'scheduler'];
const TEMPLATES = [
  (i: number) => `GET /api/v1/users/${i % 9973}/orders?page=${i % 17} 200 ${i % 431}ms - ${(i * 7919) % 65536} bytes`,
  (i: number) => `job ${i.toString(36)} finished in ${i % 9000} ms (queue=emails, attempts=${i % 4})`,
  (i: number) => `cache miss for key session:${(i * 2654435761) % 4294967296} — refreshing from redis-${i % 3}`,
  (i: number) => `connection to db-primary:5432 timed out after ${1000 + (i % 4000)} ms, retrying (${i % 5}/5)`,
  (i: number) => `TypeError: Cannot read properties of undefined (reading 'id')\n    at handler (/srv/app/routes/orders.js:${i % 300}:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`,
];

function makeEntry(i: number, padding = 0): NewEntry {
  const r = (i * 2654435761) % 100;
  const level: Level = r < 80 ? 'info' : r < 90 ? 'warn' : r < 98 ? 'error' : 'debug';
  const template = level === 'error' ? TEMPLATES[3 + (i % 2)] : TEMPLATES[i % 3];
  const message = padding ? `${template(i)} ${'p'.repeat(padding)}` : template(i);
  return {
    timestamp: 1_760_000_000_000 + i,
    process: PROCESSES[i % PROCESSES.length],
    pmId: i % PROCESSES.length,
    pid: 4000 + (i % PROCESSES.length),
    stream: level === 'error' ? 'err' : 'out',
    level,
    message,
    raw: message,
  };
}

function batches(total: number, padding = 0): NewEntry[][] {
  const distinct = Math.min(total, 200_000) / BATCH;
  return Array.from({ length: distinct }, (_, b) => Array.from({ length: BATCH }, (_, k) => makeEntry(b * BATCH + k, padding)));
}

const yieldLoop = () => new Promise((resolve) => setImmediate(resolve));
const rows: Array<[string, string, string]> = [];
const row = (what: string, value: string, vs = '') => rows.push([what, value, vs]);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'plm-bench-buffer-'));
}

async function appendBench(): Promise<void> {
  const input = batches(APPENDED);
  // Baseline: JSON lines, one appendFileSync per batch, no fsync at all.
  const baseDir = scratch();
  gc();
  let t = performance.now();
  const baseCpu = process.cpuUsage();
  let baseBytes = 0;
  for (let n = 0; n < APPENDED / BATCH; n++) {
    const text = `${input[n % input.length].map((e) => JSON.stringify(e)).join('\n')}\n`;
    baseBytes += Buffer.byteLength(text);
    appendFileSync(join(baseDir, 'lines.jsonl'), text);
    if (n % 10 === 9) await yieldLoop();
  }
  const baseSeconds = (performance.now() - t) / 1000;
  const baseUsed = process.cpuUsage(baseCpu);
  const baseCpuSeconds = (baseUsed.user + baseUsed.system) / 1e6;
  rmSync(baseDir, { recursive: true, force: true });

  const dir = scratch();
  const buffer = await LogBuffer.open({ dir, maxEntries: CAPACITY, fsyncIntervalMs: 1000 });
  gc();
  t = performance.now();
  const cpu = process.cpuUsage();
  for (let n = 0; n < APPENDED / BATCH; n++) {
    buffer.append(input[n % input.length]);
    if (n % 10 === 9) await yieldLoop();
  }
  await buffer.flush();
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const stats = buffer.stats();
  const recordBytes = stats.bytesOnDisk / stats.entries;
  await buffer.close();
  rmSync(dir, { recursive: true, force: true });

  const rate = APPENDED / seconds;
  const baseRate = APPENDED / baseSeconds;
  row('append entries/s (group commit, fsync 1 s)', fmt(rate), `${fmt(rate / baseRate, 2)}x appendFileSync JSON lines (${fmt(baseRate)}/s, no fsync)`);
  row('append entries per CPU-second (all threads)', fmt(APPENDED / cpuSeconds), `${fmt(baseCpuSeconds / cpuSeconds, 2)}x baseline (${fmt(APPENDED / baseCpuSeconds)}/CPU-s)`);
  row('append MB/s', fmt((rate * recordBytes) / MiB, 1), `baseline ${fmt(baseBytes / baseSeconds / MiB, 1)} MB/s; record ${fmt(recordBytes)} B vs line ${fmt(baseBytes / APPENDED)} B`);
}

/** RSS and live memory after a full GC at each multiple of the capacity: flat once the ring is full. */
async function memoryBench(): Promise<void> {
  const dir = scratch();
  const buffer = await LogBuffer.open({ dir, maxEntries: CAPACITY, fsyncIntervalMs: 1000 });
  const samples: Array<{ times: number; rss: number; live: number }> = [];
  for (let n = 0; n < APPENDED / BATCH; n++) {
    buffer.append(Array.from({ length: BATCH }, (_, k) => makeEntry(n * BATCH + k)));
    if (n % 10 === 9) await yieldLoop();
    if (((n + 1) * BATCH) % CAPACITY === 0) {
      await buffer.flush();
      gc();
      const m = process.memoryUsage();
      samples.push({ times: ((n + 1) * BATCH) / CAPACITY, rss: m.rss, live: m.heapUsed + m.arrayBuffers });
    }
  }
  await buffer.close();
  rmSync(dir, { recursive: true, force: true });
  const show = samples.filter((s) => s.times === 1 || s.times === 2 || s.times === samples.length);
  const [, second] = samples;
  const last = samples[samples.length - 1];
  row(`RSS after GC at ${show.map((s) => `${s.times}x`).join(' / ')} capacity`, show.map((s) => `${fmt(s.rss / MiB)} MiB`).join(' / '), `last/2x = ${fmt(last.rss / second.rss, 2)}; max over 2x..${last.times}x = ${fmt(Math.max(...samples.slice(1).map((s) => s.rss)) / MiB)} MiB`);
  const live = samples.slice(1).map((s) => s.live / MiB);
  row('live heap + buffers after GC, 2x..last: min / max', `${fmt(Math.min(...live))} / ${fmt(Math.max(...live))} MiB`, 'buffers hold at most one flush interval of appends');
}

async function recoveryBench(label: string, maxEntries: number, padding: number): Promise<void> {
  const dir = scratch();
  const writer = await LogBuffer.open({ dir, maxEntries, fsyncIntervalMs: 60_000 });
  const input = batches(200_000, padding);
  for (let n = 0; writer.stats().bytesOnDisk < 64 * MiB - 8 * MiB || writer.stats().entries < maxEntries * 0.99 && n < 2000; n++) {
    writer.append(input[n % input.length]);
    if (n % 20 === 19) await writer.flush();
    if (writer.stats().bytesOnDisk > 60 * MiB && n > 2000) break;
  }
  await writer.close();
  // Baseline: the same retained entries as JSON lines, read and parsed.
  const lines = join(dir, 'baseline.jsonl');
  const reader = await LogBuffer.open({ dir, maxEntries, readOnly: true });
  appendFileSync(lines, `${reader.range(1).map((e) => JSON.stringify(e)).join('\n')}\n`);
  const { bytesOnDisk, entries } = reader.stats();
  await reader.close();
  gc();
  const opened = await LogBuffer.open({ dir, maxEntries });
  const { ms, records } = opened.recovery;
  await opened.close();
  gc();
  const t = performance.now();
  const parsed = readFileSync(lines, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
  const baseMs = performance.now() - t;
  rmSync(dir, { recursive: true, force: true });
  row(`recovery, ${label}: ${fmt(bytesOnDisk / MiB, 1)} MiB, ${fmt(records)} records, ${fmt(entries)} kept`, `${fmt(ms)} ms`, `${fmt(ms / baseMs, 2)}x readFile+JSON.parse of ${fmt(parsed.length)} lines (${fmt(baseMs)} ms)`);
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function queryBench(): Promise<void> {
  const dir = scratch();
  const buffer = await LogBuffer.open({ dir, maxEntries: CAPACITY, fsyncIntervalMs: 60_000 });
  for (const batch of batches(CAPACITY)) buffer.append(batch);
  await buffer.flush();
  const plain = buffer.range(1);
  const cases: Array<[string, LogQuery, (e: (typeof plain)[number]) => boolean]> = [
    ['text search "timed out"', { search: 'timed out', limit: 100 }, (e) => e.message.toLowerCase().includes('timed out')],
    ['process + level filter', { processes: ['billing'], levels: ['error', 'warn'], limit: 100 }, (e) => e.process === 'billing' && (e.level === 'error' || e.level === 'warn')],
    ['regex /retrying \\(\\d\\/5\\)/', { search: 'retrying \\(\\d/5\\)', regex: true, limit: 100 }, (e) => /retrying \(\d\/5\)/i.test(e.message)],
    ['newest-first page, text, cursor', { search: 'orders', order: 'desc', limit: 100 }, (e) => e.message.toLowerCase().includes('orders')],
  ];
  for (const [name, query, naive] of cases) {
    const ours: number[] = [];
    const theirs: number[] = [];
    let matched = 0;
    for (let r = 0; r < 15; r++) {
      let t = performance.now();
      matched = buffer.query(query).matched;
      ours.push(performance.now() - t);
      t = performance.now();
      plain.filter(naive);
      theirs.push(performance.now() - t);
    }
    row(`query ${fmt(plain.length)} entries: ${name} (${fmt(matched)} matched)`, `${fmt(median(ours), 2)} ms`, `${fmt(median(ours) / median(theirs), 2)}x naive Array.filter (${fmt(median(theirs), 2)} ms)`);
  }
  const samples: number[] = [];
  const naive: number[] = [];
  for (let r = 0; r < 15; r++) {
    let t = performance.now();
    buffer.histogram({ levels: ['error', 'warn'] });
    samples.push(performance.now() - t);
    t = performance.now();
    const counts: Record<string, number> = {};
    for (const e of plain) if (e.level === 'error' || e.level === 'warn') counts[e.process] = (counts[e.process] ?? 0) + 1;
    naive.push(performance.now() - t);
  }
  row('histogram by level and process, errors+warnings', `${fmt(median(samples), 2)} ms`, `${fmt(median(samples) / median(naive), 2)}x naive counting loop (${fmt(median(naive), 2)} ms)`);
  await buffer.close();
  rmSync(dir, { recursive: true, force: true });
}

const sections = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const wants = (name: string) => sections.length === 0 || sections.includes(name);
if (wants('append')) await appendBench();
if (wants('memory')) await memoryBench();
if (wants('query')) await queryBench();
if (wants('recovery')) {
  await recoveryBench('default 100k entries, ~650 B lines', CAPACITY, 500);
  if (!quick) await recoveryBench('1M entries allowed, ~160 B lines', 1_000_000, 0);
}

const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
process.stdout.write(`buffer benchmark (node ${process.version}${quick ? ', --quick' : ''})\n`);
for (const r of rows) process.stdout.write(`${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2]}\n`);
