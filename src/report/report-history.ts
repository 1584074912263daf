// Every report is also kept in the data directory, so that the latest (and a bounded number before
// it) can be listed and read back even after the report file itself was overwritten or deleted.
// One report is two files: `report-<time>.md` (the markdown) and `report-<time>.json` (its record);
// the JSON is written last, so a report without one was never completed and is not listed.
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportRecord } from '../core/types.js';
import { cleanStaleTempFiles, ReportPathError, writeFileAtomic } from './safe-write.js';

export const DEFAULT_MAX_REPORTS = 50;

/** `report-2026-12-04T19-00-02-500Z.md`, with `-2`, `-3`... when two reports share a millisecond. */
const NAME = /^report-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)(?:-(\d{1,4}))?\.(md|json)$/;

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, '-');
}

/** Sorts names oldest first: by time, then by collision suffix (no suffix comes first). */
function compareNames(a: string, b: string): number {
  const ma = NAME.exec(a);
  const mb = NAME.exec(b);
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  if (ma[1] !== mb[1]) return ma[1] < mb[1] ? -1 : 1;
  return Number(ma[2] ?? 1) - Number(mb[2] ?? 1);
}

export class ReportHistory {
  readonly maxReports: number;
  /** Adds run one after another: two adds in the same millisecond must not pick the same name. */
  private queue: Promise<unknown> = Promise.resolve();
  private prepared?: Promise<void>;

  constructor(
    readonly dir: string,
    maxReports = DEFAULT_MAX_REPORTS,
  ) {
    if (!Number.isInteger(maxReports) || maxReports < 1) {
      throw new RangeError(`maxReports must be an integer >= 1, got ${maxReports}`);
    }
    this.maxReports = maxReports;
  }

  /** Creates the folder and removes what a killed writer left, once per instance. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      await cleanStaleTempFiles(this.dir);
    })();
    return this.prepared;
  }

  add(markdown: string, record: Omit<ReportRecord, 'historyPath'>): Promise<ReportRecord> {
    const run = this.queue.then(() => this.addNow(markdown, record));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async addNow(markdown: string, record: Omit<ReportRecord, 'historyPath'>): Promise<ReportRecord> {
    await this.prepare();
    const names = new Set(await readdir(this.dir));
    const base = `report-${stamp(record.generatedAt)}`;
    let name = `${base}.md`;
    for (let n = 2; names.has(name) || names.has(name.replace(/\.md$/, '.json')); n++) name = `${base}-${n}.md`;
    const historyPath = join(this.dir, name);
    const full: ReportRecord = { ...record, historyPath };
    await writeFileAtomic(historyPath, markdown);
    await writeFileAtomic(historyPath.replace(/\.md$/, '.json'), `${JSON.stringify(full, null, 2)}\n`);
    await this.prune();
    return full;
  }

  /** Names of complete reports (both files present), oldest first. */
  private async complete(): Promise<string[]> {
    await this.prepare();
    const names = (await readdir(this.dir)).filter((n) => NAME.test(n));
    const set = new Set(names);
    return names
      .filter((n) => n.endsWith('.json') && set.has(n.replace(/\.json$/, '.md')))
      .map((n) => n.replace(/\.json$/, '.md'))
      .sort(compareNames);
  }

  /** Keeps the newest maxReports; also removes the half-written leftovers of a crashed add. */
  private async prune(): Promise<void> {
    const keep = new Set((await this.complete()).slice(-this.maxReports).flatMap((n) => [n, n.replace(/\.md$/, '.json')]));
    for (const name of await readdir(this.dir)) {
      if (NAME.test(name) && !keep.has(name)) await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }

  /** Records, newest first. Records that cannot be read are skipped. */
  async list(limit = this.maxReports): Promise<ReportRecord[]> {
    const names = (await this.complete()).reverse().slice(0, Math.max(0, limit));
    const records: ReportRecord[] = [];
    for (const name of names) {
      const record = await this.readRecord(name);
      if (record) records.push(record);
    }
    return records;
  }

  async latest(): Promise<{ record: ReportRecord; markdown: string } | undefined> {
    for (const name of (await this.complete()).reverse()) {
      const record = await this.readRecord(name);
      if (!record) continue;
      const markdown = await readFile(join(this.dir, name), 'utf8').catch(() => undefined);
      if (markdown !== undefined) return { record, markdown };
    }
    return undefined;
  }

  /** The markdown of one kept report, by its file name (`report-….md`, as in historyPath). */
  async read(name: string): Promise<string> {
    const match = NAME.exec(name);
    if (!match || match[3] !== 'md') {
      throw new ReportPathError(`'${name}' is not a report name; expected a file name like report-2026-12-04T19-00-00-000Z.md from the history list`);
    }
    try {
      return await readFile(join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ReportPathError(`no report named '${name}' in the history (it may have been pruned; ${this.maxReports} are kept)`);
      }
      throw error;
    }
  }

  private async readRecord(mdName: string): Promise<ReportRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(join(this.dir, mdName.replace(/\.md$/, '.json')), 'utf8')) as ReportRecord;
      return { ...record, historyPath: join(this.dir, mdName) };
    } catch {
      return undefined;
    }
  }
}
