// Resource readings per process on an interval. The figures come from the same getMonitorData call
// that keeps the process registry current: with a sampler the registry runs no timer of its own
// (capture.ts), so the daemon gets one call per interval.
import type { MetricSample, ProcessInfo } from '../core/types.js';

export interface MetricsSamplerOptions {
  /** Reads the current list (usually `registry.refresh()`). */
  read: () => Promise<ProcessInfo[]>;
  onSamples: (samples: MetricSample[]) => void;
  onError?: (error: Error) => void;
  /** Default 5000 ms. */
  intervalMs?: number;
  now?: () => number;
}

export function toSample(info: ProcessInfo, at: number): MetricSample {
  return {
    at,
    pmId: info.pmId,
    process: info.name,
    cpu: info.cpu,
    memory: info.memory,
    restarts: info.restarts,
    uptimeMs: info.status === 'online' && info.uptimeSince !== undefined ? Math.max(0, at - info.uptimeSince) : 0,
    status: info.status,
  };
}

export class MetricsSampler {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly options: MetricsSamplerOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    if (!(this.intervalMs >= 100)) throw new RangeError(`intervalMs must be >= 100 (got ${this.intervalMs})`);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one reading now and delivers it; resolves with it. */
  async sampleNow(): Promise<MetricSample[]> {
    const list = await this.options.read();
    const at = this.now();
    const samples = list.map((info) => toSample(info, at));
    this.options.onSamples(samples);
    return samples;
  }

  /** A slow daemon must not stack readings: a tick that finds the previous one running is skipped. */
  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.sampleNow();
    } catch (err) {
      this.options.onError?.(err as Error);
    } finally {
      this.busy = false;
    }
  }
}
