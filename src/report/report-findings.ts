// Key Findings and Recommendations: what went wrong, the evidence for it, and what to do about it.
// Findings are numbered C1, W1, I1 so that a recommendation can point at the finding it answers.
import type { AnalysisResult, Finding, Severity } from '../core/types.js';
import { codeSpan, escapeInline, escapeInlineKeepingCode, fencedBlock } from './markdown-escape.js';
import { formatCount, type TimeFormatter } from './report-format.js';

/** Sample lines shown per finding, and characters per sample: evidence, not a log dump. */
export const MAX_SAMPLES = 5;
export const MAX_SAMPLE_CHARS = 2000;
const MAX_PIDS = 5;

const PREFIX: Record<Severity, string> = { critical: 'C', warning: 'W', info: 'I' };

export interface NumberedFinding {
  ref: string;
  finding: Finding;
}

/** Findings grouped by severity in the order the analysis gave them, each with its reference. */
export function numberFindings(findings: readonly Finding[]): Record<Severity, NumberedFinding[]> {
  const out: Record<Severity, NumberedFinding[]> = { critical: [], warning: [], info: [] };
  for (const finding of findings) {
    const group = out[finding.severity];
    if (!group) continue;
    group.push({ ref: `${PREFIX[finding.severity]}${group.length + 1}`, finding });
  }
  return out;
}

function pidsByProcess(result: AnalysisResult): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const m of result.metrics) map.set(m.process, [...(map.get(m.process) ?? []), ...m.pids]);
  return map;
}

function processLabel(name: string, pids: readonly number[] | undefined): string {
  const unique = [...new Set(pids ?? [])];
  if (unique.length === 0) return escapeInline(name);
  const shown = unique.slice(0, MAX_PIDS).join(', ');
  const more = unique.length > MAX_PIDS ? ` and ${unique.length - MAX_PIDS} more` : '';
  return `${escapeInline(name)} (pid${unique.length > 1 ? 's' : ''} ${shown}${more})`;
}

function formatDatum(value: number | string | boolean | null): string {
  if (typeof value !== 'number') return escapeInline(String(value));
  // Rates and ratios keep three significant digits; counts and large figures are grouped.
  if (Number.isInteger(value) || Math.abs(value) >= 100) return formatCount(value);
  return String(Number(value.toPrecision(3)));
}

function trimSample(sample: string): string {
  if (sample.length <= MAX_SAMPLE_CHARS) return sample;
  return `${sample.slice(0, MAX_SAMPLE_CHARS)}… [${formatCount(sample.length - MAX_SAMPLE_CHARS)} more characters]`;
}

function renderFinding(item: NumberedFinding, pids: Map<string, number[]>, fmt: TimeFormatter): string {
  const { finding, ref } = item;
  const e = finding.evidence;
  const lines = [`#### ${ref}. ${escapeInline(finding.title) || 'Untitled finding'}`, ''];
  const processes = finding.processes.map((p) => processLabel(p, pids.get(p)));
  lines.push(`- **Process${processes.length > 1 ? 'es' : ''}:** ${processes.join(', ') || 'none named'}`);
  lines.push(`- **What happened:** ${escapeInline(finding.summary)}`);
  lines.push(
    `- **Occurrences:** ${formatCount(e.count)}, first seen ${fmt.dateTime(e.firstSeen)}, last seen ${fmt.dateTime(e.lastSeen)} (${fmt.zone})`,
  );
  const data = Object.entries(finding.data ?? {});
  if (data.length > 0) {
    lines.push(`- **Figures:** ${data.map(([k, v]) => `${escapeInline(k)}: ${formatDatum(v)}`).join(' · ')}`);
  }
  lines.push(`- **Detector:** ${escapeInline(finding.detector)} (id ${codeSpan(finding.id)})`);
  lines.push('');
  const samples = e.samples.slice(0, MAX_SAMPLES);
  if (samples.length === 0) {
    lines.push('No sample lines were kept for this finding.');
  } else {
    const seqs = e.seqs.length > 0 ? `; buffer seq ${e.seqs.slice(0, 10).join(', ')}${e.seqs.length > 10 ? ', …' : ''}` : '';
    lines.push(`Evidence: ${samples.length} sample${samples.length > 1 ? 's' : ''} of ${formatCount(e.count)} matching entries${seqs}.`);
    lines.push('');
    lines.push(fencedBlock(samples.map(trimSample).join('\n')));
  }
  return lines.join('\n');
}

function renderGroup(items: NumberedFinding[], pids: Map<string, number[]>, fmt: TimeFormatter, none: string): string {
  if (items.length === 0) return none;
  return items.map((item) => renderFinding(item, pids, fmt)).join('\n\n');
}

export function renderCriticalList(result: AnalysisResult, fmt: TimeFormatter): string {
  return renderGroup(numberFindings(result.findings).critical, pidsByProcess(result), fmt, 'No critical issues in this window.');
}

export function renderWarningList(result: AnalysisResult, fmt: TimeFormatter): string {
  return renderGroup(numberFindings(result.findings).warning, pidsByProcess(result), fmt, 'No warnings in this window.');
}

export function renderInfoList(result: AnalysisResult): string {
  return numberFindings(result.findings)
    .info.map(({ ref, finding }) => {
      const where = finding.processes.length > 0 ? ` (${finding.processes.map(escapeInline).join(', ')})` : '';
      return `- **${ref}. ${escapeInline(finding.title)}**${where}: ${escapeInline(finding.summary)} ${formatCount(finding.evidence.count)} occurrence${finding.evidence.count === 1 ? '' : 's'}.`;
    })
    .join('\n');
}

export function renderRootCauses(result: AnalysisResult): string {
  const causes = result.narrative?.rootCauses ?? [];
  if (causes.length === 0) return '';
  const by = result.model ? ` (model: ${escapeInline(result.model)})` : '';
  return [`### Likely root causes${by}`, '', ...causes.map((c) => `- ${escapeInline(c)}`)].join('\n');
}

export function renderKeyFindings(result: AnalysisResult, fmt: TimeFormatter): string {
  const parts = [
    '### Critical issues',
    renderCriticalList(result, fmt),
    '### Warnings',
    renderWarningList(result, fmt),
  ];
  const info = renderInfoList(result);
  if (info) parts.push('### Other observations', info);
  const causes = renderRootCauses(result);
  if (causes) parts.push(causes);
  return parts.join('\n\n');
}

/** One numbered action per distinct recommendation, most severe first, then the model's own. */
export function renderRecommendations(result: AnalysisResult): string {
  const numbered = numberFindings(result.findings);
  const actions = new Map<string, string[]>();
  for (const item of [...numbered.critical, ...numbered.warning, ...numbered.info]) {
    const text = item.finding.recommendation.trim();
    if (text) actions.set(text, [...(actions.get(text) ?? []), item.ref]);
  }
  const lines = [...actions].map(([text, refs], i) => `${i + 1}. **${refs.join(', ')}:** ${escapeInlineKeepingCode(text)}`);
  const suggested = result.narrative?.recommendations ?? [];
  const parts: string[] = [];
  parts.push(lines.length > 0 ? lines.join('\n') : 'No action needed: nothing in this window calls for one.');
  if (suggested.length > 0) {
    const by = result.model ? ` (${escapeInline(result.model)})` : '';
    parts.push(`### Suggested by the model${by}`, suggested.map((s) => `- ${escapeInlineKeepingCode(s)}`).join('\n'));
  }
  return parts.join('\n\n');
}
