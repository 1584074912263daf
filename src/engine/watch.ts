// One monitor: a filtered view over the shared buffer with its own triggers and report path.
import type { TriggerEngine } from '../buffer/triggers.js';
import type { MonitorSpec, MonitorView } from '../core/engine.js';
import type { LogEntry, ProcessEvent, TriggerFiring } from '../core/types.js';

export class Watch {
  lastFiring?: TriggerFiring;
  lastAnalysis?: MonitorView['lastAnalysis'];
  lastReport?: MonitorView['lastReport'];
  /** Pattern counts of the previous analysis, to tell new and resolved patterns apart. */
  previousPatterns?: { patternCounts: Record<string, number>; at: number };
  private readonly processes?: Set<string>;
  private readonly namespaces?: Set<string>;
  private readonly levels?: Set<string>;

  constructor(
    readonly id: string,
    readonly spec: MonitorSpec,
    readonly createdAt: number,
    readonly triggers: TriggerEngine,
    /** Where the trigger state is saved, for a monitor that outlives restarts. */
    readonly statePath?: string,
  ) {
    if (spec.processes?.length) this.processes = new Set(spec.processes);
    if (spec.namespaces?.length) this.namespaces = new Set(spec.namespaces);
    if (spec.levels?.length) this.levels = new Set(spec.levels);
  }

  matches(entry: LogEntry): boolean {
    if (this.processes && !this.processes.has(entry.process)) return false;
    if (this.namespaces && !this.namespaces.has(entry.namespace ?? 'default')) return false;
    if (this.levels && !this.levels.has(entry.level)) return false;
    return true;
  }

  matchesEvent(event: ProcessEvent): boolean {
    return !this.processes || this.processes.has(event.process);
  }

  observe(entries: readonly LogEntry[], events: readonly ProcessEvent[]): void {
    const mine = this.processes || this.namespaces || this.levels ? entries.filter((e) => this.matches(e)) : entries;
    if (mine.length) this.triggers.observe(mine);
    const myEvents = events.filter((e) => this.matchesEvent(e));
    if (myEvents.length) this.triggers.observeEvents(myEvents);
  }

  view(): MonitorView {
    return {
      id: this.id,
      spec: this.spec,
      createdAt: this.createdAt,
      lastFiring: this.lastFiring,
      lastAnalysis: this.lastAnalysis,
      lastReport: this.lastReport,
    };
  }
}
