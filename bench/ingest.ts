// Capture benchmark: a real PM2 app (temporary PM2_HOME) writes LINES numbered lines; our Capture
// (in a child process, so that its CPU is its own) and the peer baseline `pm2 logs --raw --lines 0`
// consume the same output in the same run. Prints lines received vs lines in PM2's log file (loss,
// duplicates), lines/s, CPU seconds per million lines of each consumer and the ratio.
// Usage: node --import tsx bench/ingest.ts [lines=1000000] [--redact]
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
const TICKS_PER_SECOND = 100;

interface Progress {
  lines: number;
  duplicates: number;
  firstAt: number;
  lastAt: number;
  cpuSeconds: number;
}

type ChildMessage =
  | { type: 'ready' }
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
  const progress: Progress = { lines: 0, duplicates: 0, firstAt: 0, lastAt: 0, cpuSeconds: 0 };
  const capture = new Capture({
    pm2Home,
    redact: redact ? createRedactor().redact : undefined,
    onEntries: (entries) => {
      const now = performance.timeOrigin + performance.now();
      for (const entry of entries) {
        const n = benchLineNumber(entry.message);
        if (!Number.isInteger(n)) {
          if (odd.length < 5) odd.push(JSON.stringify(entry.message.slice(0, 200)));
          continue;
        }
        if (seen[n]) progress.duplicates++;
        else seen[n] = 1;
        progress.lines++;
        progress.lastAt = now;
        if (progress.firstAt === 0) progress.firstAt = now;
      }
    },
  });
  await capture.start();
  const cpu0 = process.cpuUsage();
  if (process.env.PLM_PROF) process.stderr.write(`MARK ready ${process.hrtime.bigint() / 1000n}\n`);
  process.send?.({ type: 'ready' } satisfies ChildMessage);
  process.on('message', (message: string) => {
    if (message === 'missing') {
      const numbers: number[] = [];
      for (let n = 1; n <= expected && numbers.length < 10; n++) if (!seen[n]) numbers.push(n);
      process.send?.({ type: 'missing', numbers, odd } satisfies ChildMessage);
    } else if (message.startsWith('replay:')) {
      if (process.env.PLM_PROF) process.stderr.write(`MARK replay ${process.hrtime.bigint() / 1000n}\n`);
      void replay(message.slice('replay:'.length), redact).then((result) => process.send?.({ type: 'replay', ...result } satisfies ChildMessage));
    } else if (message === 'progress') {
      const cpu = process.cpuUsage(cpu0);
      progress.cpuSeconds = (cpu.user + cpu.system) / 1e6;
      process.send?.({ type: 'progress', ...progress } satisfies ChildMessage);
    } else if (message === 'stop') {
      void capture.stop().then(() => process.exit(0));
    }
  });
}

/** n of a `<PREFIX> <n>` line, else NaN. Digit by digit: this consumer's CPU counts as the capture's. */
function benchLineNumber(message: string): number {
  if (!message.startsWith(PREFIX) || message.charCodeAt(PREFIX.length) !== 32 || message.length === PREFIX.length + 1) return NaN;
  let n = 0;
  for (let i = PREFIX.length + 1; i < message.length; i++) {
    const digit = message.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
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

async function main(): Promise<void> {
  const lines = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const redact = process.argv.includes('--redact');
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
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    await pm2('ping');
    const daemonPid = Number((await readFile(join(home, 'pm2.pid'), 'utf8')).trim());

    const baseline = spawn(process.execPath, [PM2_BIN, 'logs', '--raw', '--lines', '0'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(baseline);
    const base = { lines: 0, firstAt: 0, lastAt: 0 };
    baseline.stdout.on('data', (chunk: Buffer) => {
      let n = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
      const now = Date.now();
      if (base.firstAt === 0) base.firstAt = now;
      base.lastAt = now;
      base.lines += n;
    });

    const capture = fork(fileURLToPath(import.meta.url), ['--child', home, String(lines), redact ? '--redact' : ''], {
      execArgv: ['--import', 'tsx', ...(process.env.PLM_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PLM_PROF] : [])],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(capture);
    await new Promise<void>((ready) => capture.once('message', () => ready()));
    // `pm2 logs` has no ready signal: give it time to connect to the bus.
    await new Promise((r) => setTimeout(r, 1500));
    const baselineCpu0 = cpuSecondsOf(baseline.pid!);
    const daemonCpu0 = cpuSecondsOf(daemonPid);

    const config = join(home, 'bench.config.js');
    const app = { name: 'bench', script: join(ROOT, 'test/fixtures/apps/counter.cjs'), autorestart: false, env: { PREFIX, COUNT: String(lines), BATCH: '2000', EVERY_MS: '10' } };
    await writeFile(config, `module.exports = ${JSON.stringify({ apps: [app] })};\n`);
    const startedAt = Date.now();
    await pm2('start', config);

    const ask = () =>
      new Promise<Progress>((answer) => {
        capture.once('message', (m: ChildMessage) => m.type === 'progress' && answer(m));
        capture.send('progress');
      });
    let progress = await ask();
    let stillSince = Date.now();
    let lastCount = -1;
    while (Date.now() - stillSince < 3000) {
      await new Promise((r) => setTimeout(r, 250));
      progress = await ask();
      const count = progress.lines + base.lines;
      if (count !== lastCount) {
        lastCount = count;
        stillSince = Date.now();
      }
    }
    const baselineCpu = cpuSecondsOf(baseline.pid!) - baselineCpu0;
    const daemonCpu = cpuSecondsOf(daemonPid) - daemonCpu0;
    const outPath = join(home, 'logs', 'bench-out.log');
    const fileLines = countLines(await readFile(outPath));
    const { numbers: missing, odd } = await new Promise<{ numbers: number[]; odd: string[] }>((answer) => {
      capture.once('message', (m: ChildMessage) => m.type === 'missing' && answer(m));
      capture.send('missing');
    });
    const replayed = await new Promise<{ cpuSeconds: number; entries: number }>((answer) => {
      capture.once('message', (m: ChildMessage) => m.type === 'replay' && answer(m));
      capture.send(`replay:${outPath}`);
    });
    capture.send('stop');
    await new Promise((exited) => {
      capture.once('exit', exited);
      setTimeout(exited, 5000).unref();
    });

    const perMillion = (cpu: number, n: number) => (n > 0 ? (cpu * 1e6) / n : NaN);
    const rate = (n: number, from: number, to: number) => (to > from ? Math.round(n / ((to - from) / 1000)) : NaN);
    const captureRate = rate(progress.lines, startedAt, progress.lastAt);
    const baseRate = rate(base.lines, startedAt, base.lastAt);
    const captureCpu = perMillion(progress.cpuSeconds, progress.lines);
    const baseCpu = perMillion(baselineCpu, base.lines);
    const rows: Array<[string, string, string]> = [
      ['', 'capture', 'pm2 logs --raw'],
      ['lines written (PM2 log file)', String(fileLines), String(fileLines)],
      ['lines received', String(progress.lines), String(base.lines)],
      ['lost (file - received unique)', String(fileLines - (progress.lines - progress.duplicates)), String(Math.max(0, fileLines - base.lines))],
      ['duplicates', String(progress.duplicates), 'n/a'],
      ['lines/s (from app start)', String(captureRate), String(baseRate)],
      ['CPU s per 1M lines', captureCpu.toFixed(2), baseCpu.toFixed(2)],
      ['  of which ingest pipeline', perMillion(replayed.cpuSeconds, replayed.entries).toFixed(2), ''],
      ['  of which PM2 side (rest)', (captureCpu - perMillion(replayed.cpuSeconds, replayed.entries)).toFixed(2), ''],
    ];
    process.stdout.write(`capture of ${lines} lines from a real PM2 app${redact ? ' (with redaction)' : ''}\n`);
    for (const [label, a, b] of rows) process.stdout.write(`${label.padEnd(32)} ${a.padStart(12)} ${b.padStart(16)}\n`);
    process.stdout.write(`${'CPU ratio capture / baseline'.padEnd(32)} ${(captureCpu / baseCpu).toFixed(2).padStart(12)}\n`);
    for (const text of odd) process.stdout.write(`${'other entry (not a bench line)'.padEnd(32)} ${text}\n`);
    if (missing.length > 0) process.stdout.write(`${'first lines the capture missed'.padEnd(32)} ${missing.join(', ')}\n`);
    process.stdout.write(`${'daemon CPU s (same run)'.padEnd(32)} ${daemonCpu.toFixed(2).padStart(12)}\n`);
  } finally {
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
