import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportRecord } from '../../src/core/types.js';
import { ReportHistory } from '../../src/report/report-history.js';
import { ReportPathError } from '../../src/report/safe-write.js';

const T0 = Date.UTC(2026, 11, 4, 19, 0, 0);

function record(at: number, critical = 0): Omit<ReportRecord, 'historyPath'> {
  return { path: '/work/docs/report.md', generatedAt: at, summary: { entries: 100, errorRate: 0.05, critical, warnings: 1, mode: 'heuristic' } };
}

let dir: string;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'plm-history-')), 'reports');
});

afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

describe('ReportHistory', () => {
  it('keeps a timestamped copy and its record, and reads them back', async () => {
    const history = new ReportHistory(dir);
    expect(await history.latest()).toBeUndefined();
    expect(await history.list()).toEqual([]);
    const added = await history.add('# first\n', record(T0, 2));
    expect(added.historyPath).toBe(join(dir, 'report-2026-12-04T19-00-00-000Z.md'));
    expect(added.summary.critical).toBe(2);
    expect(await history.read('report-2026-12-04T19-00-00-000Z.md')).toBe('# first\n');
    expect(await history.latest()).toEqual({ record: added, markdown: '# first\n' });
    expect(await history.list()).toEqual([added]);
  });

  it('lists newest first, gives reports in the same millisecond their own names, honours limit', async () => {
    const history = new ReportHistory(dir);
    const [a, b, c] = await Promise.all([history.add('a', record(T0)), history.add('b', record(T0)), history.add('c', record(T0 + 1000))]);
    expect(a.historyPath).not.toBe(b.historyPath);
    expect((await history.list()).map((r) => r.historyPath)).toEqual([c.historyPath, b.historyPath, a.historyPath]);
    expect((await history.list(2)).map((r) => r.historyPath)).toEqual([c.historyPath, b.historyPath]);
    expect((await history.latest())?.markdown).toBe('c');
  });

  it('removes the oldest reports beyond the bound', async () => {
    const history = new ReportHistory(dir, 3);
    for (let i = 0; i < 5; i++) await history.add(`report ${i}`, record(T0 + i * 60_000));
    const kept = await history.list();
    expect(kept.map((r) => r.generatedAt)).toEqual([T0 + 240_000, T0 + 180_000, T0 + 120_000]);
    expect((await readdir(dir)).sort()).toHaveLength(6);
    await expect(history.read('report-2026-12-04T19-00-00-000Z.md')).rejects.toThrow(/no report named .* pruned; 3 are kept/);
  });

  it('refuses names that are not history report names', async () => {
    const history = new ReportHistory(dir);
    await history.add('x', record(T0));
    await writeFile(join(dir, '..', 'secret.md'), 'secret');
    for (const name of ['../secret.md', '/etc/passwd', 'report-2026-12-04T19-00-00-000Z.json', 'report-2026-12-04T19-00-00-000Z.md/..', 'x.md', 'report-2026-12-04T19-00-00-000Z.md\0']) {
      await expect(history.read(name), name).rejects.toBeInstanceOf(ReportPathError);
    }
  });

  it('skips half-written reports and cleans what a killed writer left', async () => {
    const history = new ReportHistory(dir);
    await history.add('whole', record(T0));
    // A crash between the markdown and its record, and a temp file of a dead writer.
    await writeFile(join(dir, 'report-2026-12-04T20-00-00-000Z.md'), 'no record');
    await writeFile(join(dir, 'report-2026-12-04T21-00-00-000Z.json'), '{ not json');
    await writeFile(join(dir, 'report-2026-12-04T21-00-00-000Z.md'), 'bad record');
    await writeFile(join(dir, `.report-x.md.${2 ** 22 + 7}.0123456789ab.plm-tmp`), 'partial');
    const fresh = new ReportHistory(dir);
    expect((await fresh.latest())?.markdown).toBe('whole');
    expect((await fresh.list()).map((r) => r.generatedAt)).toEqual([T0]);
    expect((await readdir(dir)).some((n) => n.endsWith('.plm-tmp'))).toBe(false);
  });

  it('rejects a bound below one', () => {
    expect(() => new ReportHistory(dir, 0)).toThrow(/maxReports must be an integer >= 1, got 0/);
  });
});
