// Process events, resource samples and coverage gaps: kept bounded in memory for the analysis, and
// saved beside the buffer so that a restart (or a read-only reader) keeps the context.
import { join } from 'node:path';
import { readStateFile, writeStateFile } from '../buffer/state-file.js';
import type { Clock } from '../core/ports.js';
import type { CoverageGap, MetricSample, ProcessEvent } from '../core/types.js';
import { BoundedList } from './bounded-list.js';
import { FileVersion } from './file-version.js';

interface SavedTelemetry {
  /** When the writer last saved: the start of any downtime that follows. */
  lastAlive: number;
  events: ProcessEvent[];
  samples: MetricSample[];
  gaps: CoverageGap[];
}

/** Downtime shorter than this is a normal restart, not a gap worth reporting. */
const DOWNTIME_GAP_MS = 30_000;
const SAVED_SAMPLES = 10_000;

export class Telemetry {
  readonly events = new BoundedList<ProcessEvent>(5_000);
  readonly samples = new BoundedList<MetricSample>(50_000);
  readonly gaps = new BoundedList<CoverageGap>(1_000);
  private readonly path: string;
  private readonly version: FileVersion;

  constructor(
    dataDir: string,
    private readonly clock: Clock,
  ) {
    this.path = join(dataDir, 'telemetry.json');
    this.version = new FileVersion(this.path);
  }

  /** Whether the writer saved since the last load: a read-only reader reloads only then. */
  changed(): Promise<boolean> {
    return this.version.changed();
  }

  /**
   * Loads what the last writer saved. A writer starting up (`asWriter`) also records the time since
   * that save as a monitor-down gap: lines of processes without a log file were lost meanwhile.
   */
  async load(asWriter: boolean): Promise<void> {
    await this.version.markRead();
    const saved = await readStateFile<SavedTelemetry>(this.path);
    if (!saved) return;
    this.events.replace(saved.events ?? []);
    this.samples.replace(saved.samples ?? []);
    const gaps = [...(saved.gaps ?? [])];
    const down = this.clock.now() - saved.lastAlive;
    if (asWriter && down > DOWNTIME_GAP_MS) {
      gaps.push({
        kind: 'monitor-down',
        at: saved.lastAlive,
        durationMs: down,
        detail: `the monitor was not running for ${Math.round(down / 1000)} s; file logs were caught up, lines of processes without a log file were not`,
      });
    }
    this.gaps.replace(gaps);
  }

  save(): Promise<void> {
    const telemetry: SavedTelemetry = {
      lastAlive: this.clock.now(),
      events: this.events.toArray(),
      samples: this.samples.toArray().slice(-SAVED_SAMPLES),
      gaps: this.gaps.toArray(),
    };
    return writeStateFile(this.path, telemetry);
  }
}
