// One analysis of what the buffer holds: pick the window (time, seq range, processes, the monitor's
// filter), run the detectors over it with the telemetry of the same processes, let the model enrich
// the result when one is available, and remember on the monitor what it needs for the next round.
import { analyzeWindowDetailed } from '../analysis/analyze.js';
import type { TemplateMiner } from '../analysis/miner/template-miner.js';
import type { LogBuffer } from '../buffer/log-buffer.js';
import type { AnalyzeOptions } from '../core/engine.js';
import type { Clock } from '../core/ports.js';
import type { AnalysisResult, ProcessInfo } from '../core/types.js';
import type { ReportSeries } from '../report/render-report.js';
import { activitySeries } from './activity-series.js';
import type { LlmStage } from './llm-stage.js';
import type { Telemetry } from './telemetry.js';
import type { Watch } from './watch.js';

export interface WindowAnalysisSources {
  buffer: LogBuffer;
  telemetry: Telemetry;
  miner: TemplateMiner;
  llm: LlmStage;
  clock: Clock;
  /** The most entries one window holds (the buffer's capacity). */
  maxEntries: number;
  listProcesses(): Promise<ProcessInfo[]>;
}

export type WindowOptions = AnalyzeOptions & { fromSeq?: number; toSeq?: number };

export async function analyzeStoredWindow(
  sources: WindowAnalysisSources,
  options: WindowOptions,
  watch: Watch | undefined,
): Promise<{ result: AnalysisResult; series?: ReportSeries }> {
  const processes = options.processes?.length ? options.processes : watch?.spec.processes;
  options.onProgress?.(0, 3, 'collecting entries');
  const { entries } = sources.buffer.query({
    processes,
    since: options.since,
    until: options.until,
    fromSeq: options.fromSeq,
    toSeq: options.toSeq === undefined ? undefined : options.toSeq + 1,
    limit: sources.maxEntries,
    order: 'asc',
  });
  const window = watch ? entries.filter((e) => watch.matches(e)) : entries;
  const inScope = (p: string) => !processes?.length || processes.includes(p);
  options.onProgress?.(1, 3, `analysing ${window.length} entries`);
  const events = sources.telemetry.events.toArray().filter((e) => inScope(e.process));
  const detailed = analyzeWindowDetailed({
    entries: window,
    samples: sources.telemetry.samples.toArray().filter((s) => inScope(s.process)),
    events,
    processes: (await sources.listProcesses().catch(() => [])).filter((p) => inScope(p.name)),
    gaps: sources.telemetry.gaps.toArray(),
    miner: sources.miner,
    previous: watch?.previousPatterns,
    since: options.since,
    now: sources.clock.now(),
  });
  const result = await sources.llm.enrich(detailed.result, window, {
    useLlm: options.useLlm,
    samplingLlm: options.samplingLlm,
    signal: options.signal,
    onAsking: (kind) => options.onProgress?.(2, 3, `asking the model (${kind})`),
  });
  options.onProgress?.(3, 3, `${result.findings.length} findings`);
  if (watch) {
    watch.previousPatterns = { patternCounts: detailed.patternCounts, at: result.generatedAt };
    watch.lastAnalysis = {
      at: result.generatedAt,
      findings: result.findings.length,
      critical: result.findings.filter((f) => f.severity === 'critical').length,
      window: result.window,
    };
  }
  return { result, series: activitySeries(window, events, result.window.since, result.window.until) };
}
