// An AnalysisResult as an agent reads it: every text from the logs redacted and cut, lists trimmed
// to the reply budget with counts of what was left out.
import type { AnalysisResult, Finding } from '../core/types.js';
import { cutText, lineLimit, trimToBudget } from './budget.js';
import { UNTRUSTED_NOTE } from './context.js';
import { presentPattern } from './list-patterns.js';

function presentFinding(f: Finding, redact: (s: string) => string, maxLine: number): Finding {
  const text = (s: string) => cutText(redact(s), maxLine);
  return {
    ...f,
    title: text(f.title),
    summary: text(f.summary),
    recommendation: text(f.recommendation),
    evidence: {
      ...f.evidence,
      seqs: f.evidence.seqs.slice(0, 20),
      samples: f.evidence.samples.slice(0, 5).map(text),
    },
  };
}

export function presentAnalysis(result: AnalysisResult, redact: (s: string) => string, budgetChars: number) {
  const maxLine = lineLimit(budgetChars);
  const text = (s: string) => cutText(redact(s), maxLine);
  const reply = {
    note: UNTRUSTED_NOTE,
    window: {
      ...result.window,
      sinceIso: new Date(result.window.since).toISOString(),
      untilIso: new Date(result.window.until).toISOString(),
    },
    generatedAt: new Date(result.generatedAt).toISOString(),
    mode: result.mode,
    ...(result.model !== undefined ? { model: result.model } : {}),
    totals: result.totals,
    findings: result.findings.map((f) => presentFinding(f, redact, maxLine)),
    ...(result.narrative
      ? {
          narrative: {
            summary: text(result.narrative.summary),
            rootCauses: result.narrative.rootCauses.slice(0, 10).map(text),
            recommendations: result.narrative.recommendations.slice(0, 10).map(text),
          },
        }
      : {}),
    patterns: result.patterns.map((p) => presentPattern(p, redact, maxLine)),
    metrics: result.metrics,
    gaps: result.gaps.map((g) => ({ ...g, detail: text(g.detail) })),
    notes: result.notes.map(text),
    ...(result.llmUsage ? { llmUsage: result.llmUsage } : {}),
  };
  // Patterns and metrics go before findings: the findings are what the agent asked for.
  const first = trimToBudget(reply, ['patterns', 'metrics', 'gaps'], budgetChars);
  const second = trimToBudget(first.value, ['findings'], budgetChars);
  const omitted = { ...first.omitted, ...second.omitted };
  return Object.keys(omitted).length > 0 ? { ...second.value, omitted } : second.value;
}
