// Log patterns of the window (through the template miner) and how they changed since the previous
// analysis: new patterns with errors are findings of their own, resolved error patterns are noted.
import type { Finding, LogEntry, PatternSummary } from '../../core/types.js';
import type { TemplateMiner } from '../miner/template-miner.js';
import { indexOfSeq } from '../seq-index.js';
import { plural, times, type DetectorContext, type PatternContext, type PatternTally } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';

const NEW = 'new-pattern';
const NEW_OTHER = 'new-patterns';
const RESOLVED = 'pattern-resolved';
/** A pattern counts as rising when it at least doubled and grew by this many. */
const RISING_MIN_INCREASE = 5;

export interface MinedWindow {
  context: PatternContext;
  /** Pattern id of the entry with this seq, if it is in the window. */
  patternOf(seq: number): string | undefined;
}

/**
 * Gives every entry its template id. Entries that already carry a `patternId` (the live miner ran on
 * the capture path) are not added again when `live` is set, so the miner's counts are not doubled.
 */
export function mineWindow(
  entries: readonly LogEntry[],
  miner: TemplateMiner,
  live: boolean,
  bounds: { evidenceSeqs: number; evidenceSamples: number },
  previous?: { patternCounts: Record<string, number>; at: number },
): MinedWindow {
  const raw = new Map<string, PatternTally>();
  const rawIds = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const id = live && e.patternId !== undefined ? e.patternId : miner.add(e.message, { timestamp: e.timestamp, process: e.process, level: e.level, seq: e.seq }).id;
    rawIds[i] = id;
    let t = raw.get(id);
    if (!t) {
      t = { id, count: 0, errors: 0, warnings: 0, firstSeen: e.timestamp, lastSeen: e.timestamp, processes: new Set(), evidence: new EvidenceCollector(bounds.evidenceSeqs, bounds.evidenceSamples) };
      raw.set(id, t);
    }
    t.count++;
    if (e.level === 'error') t.errors++;
    else if (e.level === 'warn') t.warnings++;
    if (e.timestamp < t.firstSeen) t.firstSeen = e.timestamp;
    if (e.timestamp > t.lastSeen) t.lastSeen = e.timestamp;
    t.processes.add(e.process);
    t.evidence.addEntry(e);
  }
  // Templates merge as the miner learns: an id handed out early may now be an alias of an older one.
  const resolve = (id: string): string => miner.resolveId(id) ?? id;
  const tallies = new Map<string, PatternTally>();
  const renamed = new Map<string, string>();
  for (const [id, t] of raw) {
    const to = resolve(id);
    renamed.set(id, to);
    const into = tallies.get(to);
    if (!into) {
      tallies.set(to, { ...t, id: to });
      continue;
    }
    into.count += t.count;
    into.errors += t.errors;
    into.warnings += t.warnings;
    into.firstSeen = Math.min(into.firstSeen, t.firstSeen);
    into.lastSeen = Math.max(into.lastSeen, t.lastSeen);
    for (const p of t.processes) into.processes.add(p);
    // Evidence of a merged alias is dropped but its count kept: the surviving template's seqs represent it.
    into.evidence.count += t.count;
  }
  const patternOf = (seq: number): string | undefined => {
    const at = indexOfSeq(entries, seq);
    return at < 0 ? undefined : (renamed.get(rawIds[at]) ?? rawIds[at]);
  };
  let prev: PatternContext['previous'];
  if (previous) {
    const counts = new Map<string, number>();
    for (const [id, n] of Object.entries(previous.patternCounts)) counts.set(resolve(id), (counts.get(resolve(id)) ?? 0) + n);
    prev = { patternCounts: counts, at: previous.at };
  }
  return { context: { tallies, summary: (id) => miner.summary(id), previous: prev }, patternOf };
}

export function trendOf(ctx: PatternContext, id: string, count: number): PatternSummary['trend'] {
  if (!ctx.previous) return undefined;
  const before = ctx.previous.patternCounts.get(id) ?? 0;
  if (count === 0) return before > 0 ? 'resolved' : undefined;
  if (before === 0) {
    const firstEver = ctx.summary(id)?.firstSeen;
    return firstEver === undefined || firstEver >= ctx.previous.at ? 'new' : 'rising';
  }
  if (count >= 2 * before && count - before >= RISING_MIN_INCREASE) return 'rising';
  if (count * 2 <= before) return 'falling';
  return 'steady';
}

function templateOf(ctx: PatternContext, id: string): string {
  return ctx.summary(id)?.template ?? id;
}

export function detectPatternChanges(ctx: DetectorContext): Finding[] {
  const p = ctx.patterns;
  if (!p?.previous) return [];
  const t = ctx.thresholds;
  const fresh = [...p.tallies.values()].filter((tally) => trendOf(p, tally.id, tally.count) === 'new');
  const notable = fresh
    .filter((tally) => tally.errors > 0 || tally.warnings > 0)
    .sort((a, b) => b.errors - a.errors || b.count - a.count || (a.id < b.id ? -1 : 1))
    .slice(0, t.maxNewPatternFindings);
  const findings: Finding[] = [];
  for (const tally of notable) {
    const kind = tally.errors > 0 ? 'error' : 'warning';
    const processes = [...tally.processes].sort();
    const howOften = times(tally.count);
    findings.push({
      id: findingId(NEW, tally.id),
      detector: NEW,
      severity: kind === 'error' ? 'warning' : 'info',
      title: `New ${kind} pattern in ${processes.join(', ')} (${howOften}): ${templateOf(p, tally.id)}`,
      processes,
      summary: `A ${kind} message not seen before the previous analysis appeared ${howOften} (${tally.errors} at error level).`,
      evidence: tally.evidence.build([tally.id]),
      recommendation: 'A new error pattern usually follows a change: check recent deploys, configuration and dependencies around its first occurrence.',
      data: { patternId: tally.id, count: tally.count, errors: tally.errors, warnings: tally.warnings },
    });
  }
  const rest = fresh.filter((tally) => !notable.includes(tally));
  if (rest.length > 0) {
    const evidence = EvidenceCollector.for(ctx);
    const processes = new Set<string>();
    let count = 0;
    for (const tally of rest) {
      count += tally.count;
      evidence.add(tally.firstSeen, templateOf(p, tally.id), tally.evidence.build().seqs[0]);
      for (const proc of tally.processes) processes.add(proc);
    }
    // One representative entry per template; the count is of entries, as in every other finding.
    const built = { ...evidence.build(rest.slice(0, ctx.evidenceSeqs).map((tally) => tally.id)), count };
    findings.push({
      id: findingId(NEW_OTHER, 'info'),
      detector: NEW_OTHER,
      severity: 'info',
      title: `${plural(rest.length, 'new pattern')} since the previous analysis`,
      processes: [...processes].sort(),
      summary: `${rest.length} message templates without errors or warnings appeared for the first time (${count} entries).`,
      evidence: built,
      recommendation: 'Usually harmless (new features, new log lines); skim the templates for anything unexpected.',
      data: { patterns: rest.length, entries: count },
    });
  }
  const resolved = [...p.previous.patternCounts]
    .filter(([id, before]) => before > 0 && !p.tallies.has(id) && (p.summary(id)?.levels.error ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, t.maxResolvedPatternFindings);
  for (const [id, before] of resolved) {
    const s = p.summary(id);
    findings.push({
      id: findingId(RESOLVED, id),
      detector: RESOLVED,
      severity: 'info',
      title: `Error pattern stopped: ${templateOf(p, id)} (${before} in the previous analysis, none since)`,
      processes: s ? [...s.processes].sort() : [],
      summary: `This error pattern occurred ${before} times in the previous analysis and not at all in this window.`,
      evidence: { seqs: [], count: 0, firstSeen: s?.firstSeen ?? 0, lastSeen: s?.lastSeen ?? 0, samples: s?.examples.slice(0, ctx.evidenceSamples) ?? [], patternIds: [id] },
      recommendation: 'Nothing to do if a fix was deployed; otherwise check that the component that logged it is still running.',
      data: { patternId: id, previousCount: before },
    });
  }
  return findings;
}
