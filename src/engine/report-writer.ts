// Turns an analysis into the markdown report on disk: the path and template confined to the report
// roots, the file written atomically, a copy kept in the bounded history.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../config.js';
import { EngineError } from '../core/errors.js';
import type { AnalysisResult, ReportRecord } from '../core/types.js';
import { renderReport, type ReportSeries } from '../report/render-report.js';
import { ReportHistory } from '../report/report-history.js';
import { cleanStaleTempFiles, resolveReportPath, writeFileAtomic } from '../report/safe-write.js';

export interface PreparedReport {
  path: string;
  template?: string;
}

export class ReportWriter {
  readonly history: ReportHistory;
  private readonly cleanedDirs = new Set<string>();

  constructor(
    private readonly settings: Config['report'],
    dataDir: string,
  ) {
    this.history = new ReportHistory(join(dataDir, 'reports'), settings.historyMax);
  }

  /** Checks where the report goes and reads its template before any analysis work, so bad input fails fast. */
  async prepare(requested: string, templatePath: string | undefined, roots: readonly string[]): Promise<PreparedReport> {
    const path = await resolveReportPath(roots, requested);
    // A template is read from inside the report roots only: a path from a client must not read other files.
    const template = templatePath ? await readTemplate(await resolveReportPath(roots, templatePath)) : undefined;
    return { path, template };
  }

  async write(prepared: PreparedReport, result: AnalysisResult, series: ReportSeries | undefined): Promise<ReportRecord> {
    const markdown = renderReport(result, {
      series,
      template: prepared.template,
      includeMetrics: this.settings.includeMetrics,
      includeRecommendations: this.settings.includeRecommendations,
      timeZone: this.settings.timeZone,
    });
    await this.cleanOnce(dirname(prepared.path));
    await writeFileAtomic(prepared.path, markdown);
    return this.history.add(markdown, { path: prepared.path, generatedAt: result.generatedAt, summary: reportSummary(result) });
  }

  /** Temporary files a crashed writer left beside a report go the first time we write there. */
  private async cleanOnce(dir: string): Promise<void> {
    if (this.cleanedDirs.has(dir)) return;
    this.cleanedDirs.add(dir);
    await cleanStaleTempFiles(dir).catch(() => 0);
  }
}

/** The figures a report record carries about the analysis behind it. */
export function reportSummary(result: AnalysisResult): ReportRecord['summary'] {
  return {
    entries: result.totals.entries,
    errorRate: result.totals.errorRate,
    critical: result.findings.filter((f) => f.severity === 'critical').length,
    warnings: result.findings.filter((f) => f.severity === 'warning').length,
    mode: result.mode,
  };
}

async function readTemplate(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new EngineError(`cannot read report template ${path}`, (error as Error).message);
  }
}
