// Collects everything a Capture reports, for assertions.
import type { DaemonState } from '../../src/core/engine.js';
import type { CoverageGap, MetricSample, NewEntry, ProcessEvent } from '../../src/core/types.js';
import type { CaptureOptions } from '../../src/pm2/capture.js';
import type { FileCheckpoint } from '../../src/pm2/log-tailer.js';

export interface Collected {
  entries: NewEntry[];
  events: ProcessEvent[];
  gaps: CoverageGap[];
  states: DaemonState[];
  samples: MetricSample[];
  errors: Error[];
  checkpoints: Record<string, FileCheckpoint>;
  options(pm2Home: string, extra?: Partial<CaptureOptions>): CaptureOptions;
  /** Messages of one process and stream, in arrival order. */
  messages(process: string, stream?: NewEntry['stream']): string[];
}

export function collect(): Collected {
  const c: Collected = {
    entries: [],
    events: [],
    gaps: [],
    states: [],
    samples: [],
    errors: [],
    checkpoints: {},
    options: (pm2Home, extra = {}) => ({
      pm2Home,
      pollIntervalMs: 50,
      onEntries: (entries, checkpoints) => {
        c.entries.push(...entries);
        c.checkpoints = { ...checkpoints };
      },
      onEvent: (event) => c.events.push(event),
      onGap: (gap) => c.gaps.push(gap),
      onDaemon: (state) => c.states.push(state),
      onSamples: (samples) => c.samples.push(...samples),
      onError: (error) => c.errors.push(error),
      ...extra,
    }),
    messages: (process, stream) => c.entries.filter((e) => e.process === process && (!stream || e.stream === stream)).map((e) => e.message),
  };
  return c;
}

/** `prefix n` lines of a counter app's output, as numbers, in order. */
export function numbers(messages: string[], prefix: string): number[] {
  const out: number[] = [];
  for (const m of messages) for (const line of m.split('\n')) if (line.startsWith(`${prefix} `)) out.push(Number(line.slice(prefix.length + 1)));
  return out;
}

export function duplicates(values: number[]): number[] {
  const seen = new Set<number>();
  const dups: number[] = [];
  for (const v of values) {
    if (seen.has(v)) dups.push(v);
    seen.add(v);
  }
  return dups;
}

/** Starts `script` under `name` with extra environment variables, through an ecosystem file. */
export async function startWithEnv(
  pm2: { pm2(...args: string[]): Promise<string>; scratch: string },
  name: string,
  script: string,
  env: Record<string, string>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(pm2.scratch, { recursive: true });
  const file = join(pm2.scratch, `${name}-${Date.now()}.config.js`);
  await writeFile(file, `module.exports = ${JSON.stringify({ apps: [{ name, script, env, autorestart: false, ...extra }] })};\n`);
  await pm2.pm2('start', file);
}
