// Capture benchmark: a real PM2 app (temporary PM2_HOME) writes LINES numbered lines; our Capture
// (in a child process, so that its CPU is its own) and the peer baseline `pm2 logs --raw --lines 0`
// consume the same output in the same run. Prints lines received vs lines in PM2's log file (loss,
// duplicates), lines/s, CPU seconds per million lines of each consumer and the ratio, per round and
// for the median round. Each round has its own daemon, and measures after a warm-up app's lines.
// Usage: node --import tsx bench/ingest.ts [lines=1000000] [--redact] [--rounds 3] [--warmup 200000]
// PLM_PROF=<dir> writes a V8 CPU profile of the capture child there, and prints the hrtime (µs) at
// which the measured window starts and ends (MARK lines), to read only that part of the profile.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const PM2_BIN = join(ROOT, 'node_modules/pm2/bin/pm2');
const PREFIX = `bench-${'x'.repeat(40)}`;
const WARMUP_PREFIX = `warmup-${'x'.repeat(39)}`;
const PREFIX_FIRST = PREFIX.charCodeAt(0);
const TICKS_PER_SECOND = 100;

interface Progress {
  lines: number;
  /** Lines of the warm-up app. */
  warmupLines: number;
  duplicates: number;
  lastAt: number;
  cpuSeconds: number;
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'marked' }
  | ({ type: 'progress' } & Progress)
  | { type: 'replay'; cpuSeconds: number; entries: number }
  | { type: 'missing'; numbers: number[]; odd: string[] };

if (process.argv[2] === '--child') await runCaptureChild(process.argv[3], Number(process.argv[4]), process.argv[5] === '--redact');
else await main();

async function runCaptureChild(pm2Home: string, expected: number, redact: boolean): Promise<void> {
  const { Capture } = await import('../src/pm2/capture.js');
  const { createRedactor } = await import('../src/ingest/redact.js');
  const seen = new Uint8Array(expected + 2);
  const odd: string[] = [];
  const progress: Progress = { lines: 0, warmupLines: 0, duplicates: 0, lastAt: 0, cpuSeconds: 0 };
  const capture = new Capture({
    pm2Home,
    redact: redact ? createRedactor().redact : undefined,
    onEntries: (entries) => {
      let lines = 0;
      let duplicates = 0;
      for (const entry of entries) {
        const n = benchLineNumber(entry.message);
        if (n < 1 || n > expected) {
          if (entry.message.startsWith(WARMUP_PREFIX)) progress.warmupLines++;
          else if (odd.length < 5) odd.push(JSON.stringify(entry.message.slice(0, 200)));
          continue;
        }
        if (seen[n]) duplicates++;
        else seen[n] = 1;
        lines++;
      }
      if (lines === 0) return;
      progress.lines += lines;
      progress.duplicates += duplicates;
      progress.lastAt = performance.timeOrigin + performance.now();
    },
  });
  await capture.start();
  let cpu0 = process.cpuUsage();
  const mark = (what: string) => process.env.PLM_PROF && process.stderr.write(`MARK ${what} ${process.hrtime.bigint() / 1000n}\n`);
  mark('start');
  process.send?.({ type: 'ready' } satisfies ChildMessage);
  process.on('message', (message: string) => {
    if (message === 'missing') {
      const numbers: number[] = [];
      for (let n = 1; n <= expected && numbers.length < 10; n++) if (!seen[n]) numbers.push(n);
      process.send?.({ type: 'missing', numbers, odd } satisfies ChildMessage);
    } else if (message.startsWith('replay:')) {
      mark('end');
      void replay(message.slice('replay:'.length), redact).then((result) => process.send?.({ type: 'replay', ...result } satisfies ChildMessage));
    } else if (message === 'mark') {
      cpu0 = process.cpuUsage();
      mark('start');
      process.send?.({ type: 'marked' } satisfies ChildMessage);
    } else if (message === 'progress') {
      const cpu = process.cpuUsage(cpu0);
      progress.cpuSeconds = (cpu.user + cpu.system) / 1e6;
      process.send?.({ type: 'progress', ...progress } satisfies ChildMessage);
    } else if (message === 'stop') {
      void capture.stop().then(() => process.exit(0));
    }
  });
}

/**
 * n of a `<PREFIX> <n>` line, else -1. Bench and warm-up prefixes have the same length and differ in
 * their first letter, which is all that is compared: this consumer's CPU is counted as the
 * capture's, so it does no more than a storing consumer's bookkeeping would.
 */
function benchLineNumber(message: string): number {
  const length = message.length;
  if (length <= PREFIX.length + 1 || message.charCodeAt(0) !== PREFIX_FIRST || message.charCodeAt(PREFIX.length) !== 32) return -1;
  let n = 0;
  for (let i = PREFIX.length + 1; i < length; i++) {
    const digit = message.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** The ingest pipeline alone on the same file, fed as the tailer feeds it: the parsing share of the capture's CPU. */
async function replay(path: string, redact: boolean): Promise<{ cpuSeconds: number; entries: number }> {
  const { IngestPipeline } = await import('../src/ingest/ingest-pipeline.js');
  const { createRedactor } = await import('../src/ingest/redact.js');
  const data = await readFile(path);
  let entries = 0;
  const pipeline = new IngestPipeline({ onEntries: (batch) => (entries += batch.length), redact: redact ? createRedactor().redact : undefined });
  const source = { process: 'bench', pmId: 0, stream: 'out' as const };
  const cpu0 = process.cpuUsage();
  for (let at = 0; at < data.length; at += 512 * 1024) pipeline.write('replay', source, data.subarray(at, at + 512 * 1024), Date.now());
  pipeline.endSource('replay', Date.now());
  const cpu = process.cpuUsage(cpu0);
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, entries };
}

interface Round {
  fileLines: number;
  capture: Progress;
  baseline: { lines: number; lastAt: number; cpuSeconds: number };
  startedAt: number;
  pipeline: { cpuSeconds: number; entries: number };
  daemonCpuSeconds: number;
  odd: string[];
  missing: number[];
}

function perMillion(cpu: number, n: number): number {
  return n > 0 ? (cpu * 1e6) / n : NaN;
}
function rate(n: number, from: number, to: number): number {
  return to > from ? Math.round(n / ((to - from) / 1000)) : NaN;
}
function captureCpu(r: Round): number {
  return perMillion(r.capture.cpuSeconds, r.capture.lines);
}
function baselineCpu(r: Round): number {
  return perMillion(r.baseline.cpuSeconds, r.baseline.lines);
}
function ratio(r: Round): number {
  return captureCpu(r) / baselineCpu(r);
}
function lost(r: Round): number {
  return r.fileLines - (r.capture.lines - r.capture.duplicates);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const optionValues = new Set(['--rounds', '--warmup'].map((name) => args.indexOf(name) + 1).filter((at) => at > 0));
  const lines = Number(args.find((a, at) => /^\d+$/.test(a) && !optionValues.has(at)) ?? 1_000_000);
  const redact = process.argv.includes('--redact');
  const option = (name: string, fallback: number) => {
    const at = process.argv.indexOf(name);
    const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} takes a whole number >= 0`);
    return value;
  };
  const roundCount = Math.max(1, option('--rounds', 3));
  const warmup = option('--warmup', 200_000);
  const warm = warmup > 0 ? `, measured after ${warmup} warm-up lines` : '';
  process.stdout.write(`capture of ${lines} lines from a real PM2 app${redact ? ' (with redaction)' : ''}, ${roundCount} rounds${warm}\n`);
  const rounds: Round[] = [];
  for (let i = 1; i <= roundCount; i++) {
    const round = await runRound(lines, warmup, redact);
    rounds.push(round);
    const summary = `capture ${captureCpu(round).toFixed(2)}, pm2 logs ${baselineCpu(round).toFixed(2)} CPU s per 1M lines: ratio ${ratio(round).toFixed(2)}`;
    process.stdout.write(`round ${i}: ${summary}; lost ${lost(round)}, duplicates ${round.capture.duplicates}\n`);
  }
  // The CPU of one process on a shared 2-core VM varies by about a quarter from run to run: the round
  // with the median ratio is shown whole, and loss is summed over every round.
  const median = [...rounds].sort((a, b) => ratio(a) - ratio(b))[Math.floor((rounds.length - 1) / 2)];
  const pipelineCpu = perMillion(median.pipeline.cpuSeconds, median.pipeline.entries);
  const rows: Array<[string, string, string]> = [
    ['median round', 'capture', 'pm2 logs --raw'],
    ['lines written (PM2 log file)', String(median.fileLines), String(median.fileLines)],
    ['lines received', String(median.capture.lines), String(median.baseline.lines)],
    ['lost (file - received unique)', String(lost(median)), String(Math.max(0, median.fileLines - median.baseline.lines))],
    ['duplicates', String(median.capture.duplicates), 'n/a'],
    ['lines/s (from app start)', String(rate(median.capture.lines, median.startedAt, median.capture.lastAt)), String(rate(median.baseline.lines, median.startedAt, median.baseline.lastAt))],
    ['CPU s per 1M lines', captureCpu(median).toFixed(2), baselineCpu(median).toFixed(2)],
    ['  of which ingest pipeline', pipelineCpu.toFixed(2), ''],
    ['  of which PM2 side (rest)', (captureCpu(median) - pipelineCpu).toFixed(2), ''],
  ];
  for (const [label, a, b] of rows) process.stdout.write(`${label.padEnd(32)} ${a.padStart(12)} ${b.padStart(16)}\n`);
  process.stdout.write(`${'CPU ratio capture / baseline'.padEnd(32)} ${ratio(median).toFixed(2).padStart(12)}\n`);
  process.stdout.write(`${'daemon CPU s (same run)'.padEnd(32)} ${median.daemonCpuSeconds.toFixed(2).padStart(12)}\n`);
  const allLost = rounds.reduce((n, r) => n + lost(r), 0);
  const allDuplicates = rounds.reduce((n, r) => n + r.capture.duplicates, 0);
  process.stdout.write(`${'all rounds: lost / duplicates'.padEnd(32)} ${`${allLost} / ${allDuplicates}`.padStart(12)}\n`);
  for (const text of median.odd) process.stdout.write(`${'other entry (not a bench line)'.padEnd(32)} ${text}\n`);
  for (const round of rounds) {
    if (round.missing.length > 0) process.stdout.write(`${'first lines the capture missed'.padEnd(32)} ${round.missing.join(', ')}\n`);
  }
  if (allLost > 0 || allDuplicates > 0) process.exitCode = 1;
}

/**
 * One daemon, one app writing `lines` lines, our capture and `pm2 logs --raw` reading them. First
 * another app writes `warmup` lines that both read unmeasured: a monitor runs for hours, and what
 * is compared is what a line costs then, not the JIT compiling the pipeline on its first lines.
 */
async function runRound(lines: number, warmup: number, redact: boolean): Promise<Round> {
  const home = await mkdtemp(join(tmpdir(), 'plm-bench-ingest-'));
  const env = { ...process.env, PM2_HOME: home, PM2_DISCRETE_MODE: 'true', PM2_NO_INTERACTION: 'true', PM2_PROGRAMMATIC: 'true' };
  const pm2 = (...args: string[]) =>
    new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, [PM2_BIN, ...args], { env, stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`pm2 ${args.join(' ')} exited with ${code}`))));
    });
  const children: ChildProcess[] = [];
  const cleanup = async () => {
    for (const child of children) child.kill('SIGKILL');
    await pm2('kill').catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  };
  const onInterrupt = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onInterrupt);
  try {
    await pm2('ping');
    const daemonPid = Number((await readFile(join(home, 'pm2.pid'), 'utf8')).trim());

    const baseline = spawn(process.execPath, [PM2_BIN, 'logs', '--raw', '--lines', '0'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(baseline);
    const base = { lines: 0, lastAt: 0, cpuSeconds: 0 };
    baseline.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) base.lines++;
      base.lastAt = Date.now();
    });

    const capture = fork(fileURLToPath(import.meta.url), ['--child', home, String(lines), redact ? '--redact' : ''], {
      execArgv: ['--import', 'tsx', ...(process.env.PLM_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PLM_PROF}`] : [])],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(capture);
    // A child that dies must fail the round (so that the finally below cleans up), never crash this process.
    const died = new Promise<never>((_, fail) => capture.once('exit', (code) => fail(new Error(`the capture child exited with ${code}`))));
    died.catch(() => undefined);
    capture.on('error', () => undefined);
    await Promise.race([new Promise<void>((ready) => capture.once('message', () => ready())), died]);
    const ask = <T extends ChildMessage['type']>(type: T, message: string) =>
      Promise.race([
        new Promise<Extract<ChildMessage, { type: T }>>((answer) => {
          const listen = (m: ChildMessage) => {
            if (m.type !== type) return;
            capture.off('message', listen);
            answer(m as Extract<ChildMessage, { type: T }>);
          };
          capture.on('message', listen);
          capture.send(message);
        }),
        died,
      ]);
    const startApp = async (name: string, prefix: string, count: number) => {
      const config = join(home, `${name}.config.js`);
      const app = { name, script: join(ROOT, 'test/fixtures/apps/counter.cjs'), autorestart: false, env: { PREFIX: prefix, COUNT: String(count), BATCH: '2000', EVERY_MS: '10' } };
      await writeFile(config, `module.exports = ${JSON.stringify({ apps: [app] })};\n`);
      await pm2('start', config);
    };
    // `pm2 logs` has no ready signal: give it time to connect to the bus.
    await new Promise((r) => setTimeout(r, 1500));
    if (warmup > 0) {
      await startApp('warmup', WARMUP_PREFIX, warmup);
      const deadline = Date.now() + 120_000;
      while ((await ask('progress', 'progress')).warmupLines < warmup || base.lines < warmup) {
        if (Date.now() > deadline) throw new Error('the warm-up lines did not all arrive within 2 minutes');
        await new Promise((r) => setTimeout(r, 250));
      }
      await new Promise((r) => setTimeout(r, 500));
      await ask('marked', 'mark');
      base.lines = 0;
    }
    const baselineCpu0 = cpuSecondsOf(baseline.pid!);
    const daemonCpu0 = cpuSecondsOf(daemonPid);

    const startedAt = Date.now();
    await startApp('bench', PREFIX, lines);

    let progress = await ask('progress', 'progress');
    let stillSince = Date.now();
    let lastCount = -1;
    while (Date.now() - stillSince < 3000) {
      await new Promise((r) => setTimeout(r, 250));
      progress = await ask('progress', 'progress');
      const count = progress.lines + base.lines;
      if (count !== lastCount) {
        lastCount = count;
        stillSince = Date.now();
      }
    }
    base.cpuSeconds = cpuSecondsOf(baseline.pid!) - baselineCpu0;
    const daemonCpuSeconds = cpuSecondsOf(daemonPid) - daemonCpu0;
    const outPath = join(home, 'logs', 'bench-out.log');
    const fileLines = countLines(await readFile(outPath));
    const { numbers: missing, odd } = await ask('missing', 'missing');
    const pipeline = await ask('replay', `replay:${outPath}`);
    capture.send('stop');
    await new Promise((exited) => {
      capture.once('exit', exited);
      setTimeout(exited, 5000).unref();
    });
    const { type: _type, ...captured } = progress;
    return { fileLines, capture: captured, baseline: base, startedAt, pipeline, daemonCpuSeconds, odd, missing };
  } finally {
    process.off('SIGINT', onInterrupt);
    await cleanup();
  }
}

/** utime + stime of a process, from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}
