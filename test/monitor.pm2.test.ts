// The engine end to end against a real PM2 daemon: capture, redaction, queries, analysis, reports,
// triggers and a second, read-only engine on the same data directory.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import type { EngineEvent } from '../src/core/engine.js';
import { createMonitor, type Monitor } from '../src/monitor.js';
import { bounded, createPm2Home, FIXTURE_APPS, waitFor, type Pm2Home } from './helpers/pm2-home.js';
import { startWithEnv } from './pm2/capture-helpers.js';

const SECRET = 'Pg-S3cr3t-2024';

describe('monitor engine with a real PM2 daemon', () => {
  let pm2: Pm2Home;
  let work: string;
  let config: Config;
  let monitor: Monitor;
  const opened: Monitor[] = [];

  beforeAll(async () => {
    pm2 = await createPm2Home();
    work = await mkdtemp(join(tmpdir(), 'plm-engine-'));
    config = loadConfig({
      env: {},
      cwd: work,
      flags: {
        pm2Home: pm2.home,
        dataDir: join(work, 'data'),
        report: { root: work },
        llm: { mode: 'none' },
        capture: { sampleIntervalMs: 500 },
        triggers: { debounceMs: 200, cooldownMs: 60_000, sizeThreshold: 1_000_000, flushIntervalMs: 3_600_000, burst: { errors: 10, windowMs: 10_000 } },
      },
    });
    monitor = await createMonitor(config);
    opened.push(monitor);
  });

  afterAll(async () => {
    for (const m of opened) await bounded(() => m.close());
    await pm2?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('rejects a monitor for a process PM2 does not know, naming the known ones', async () => {
    await pm2.pm2('start', join(FIXTURE_APPS, 'hello.cjs'), '--name', 'hello');
    await expect(monitor.startMonitor({ processes: ['apx'] })).rejects.toThrow("no process named 'apx'; known: hello");
  });

  it('captures a new app from its first line, redacted, with levels and patterns', async () => {
    // Its triggered reports go to their own file, so they never race the explicit ones below.
    const view = await monitor.startMonitor({ reportPath: 'docs/all.md' });
    expect(view.id).toMatch(/^mon-/);
    const events: EngineEvent[] = [];
    const unsubscribe = monitor.subscribe((e) => events.push(e));
    await pm2.pm2('start', join(FIXTURE_APPS, 'api-sim.cjs'), '--name', 'api');
    const ready = await waitFor(() => monitor.queryLogs({ processes: ['api'], search: 'api ready' }).entries[0], 20_000, 'api ready line');
    expect(ready.level).toBe('info');
    // stdout and stderr are separate pipes: the errors may land after the last stdout line.
    const errors = await waitFor(() => {
      const found = monitor.queryLogs({ processes: ['api'], levels: ['error'], limit: 100 });
      return found.matched >= 12 ? found : undefined;
    }, 10_000, '12 errors');
    expect(errors.matched).toBe(12);
    // The first ECONNREFUSED is a new error pattern; its event points at an entry a client can query.
    unsubscribe();
    const newPattern = events.find((e) => e.kind === 'new_pattern' && e.process === 'api');
    expect(newPattern?.seq).toBe(errors.entries[0].seq);
    expect(newPattern?.patternId).toBe(errors.entries[0].patternId);
    expect(errors.entries[0].message).toContain('at OrderRepo.find (/srv/api/src/orders/repo.js:42:11)');
    expect(errors.entries[0].stream).toBe('err');
    expect(new Set(errors.entries.map((e) => e.patternId)).size).toBe(1);
    const leaked = monitor.queryLogs({ processes: ['api'], search: 'postgres://' }).entries[0];
    expect(leaked.message).toBe('connecting with postgres://app:[REDACTED:url-password]@db.internal:5432/orders');
    expect(leaked.raw).not.toContain(SECRET);
    const hello = monitor.queryLogs({ processes: ['hello'] });
    expect(hello.total).toBeGreaterThan(0);
  });

  it('analyses the window: the refused database is a critical finding with evidence', async () => {
    const result = await monitor.analyze({ processes: ['api'] });
    expect(result.mode).toBe('heuristic');
    const db = result.findings.find((f) => /Connection refused to 127\.0\.0\.1:5432/.test(f.title));
    expect(db?.severity).toBe('critical');
    expect(db?.evidence.count).toBe(12);
    const evidence = monitor.queryLogs({ fromSeq: db!.evidence.seqs[0], toSeq: db!.evidence.seqs[0] + 1 }).entries[0];
    expect(evidence.message).toContain('ECONNREFUSED');
    expect(result.totals.processes).toEqual(['api']);
  });

  it('writes a report inside the root, keeps it in history, and quotes hostile lines as evidence only', async () => {
    const record = await monitor.writeReport({ processes: ['api'] });
    expect(record.path).toBe(join(work, 'docs', 'report.md'));
    const markdown = await readFile(record.path, 'utf8');
    expect(markdown.startsWith('# PM2 Log Analysis Report')).toBe(true);
    expect(markdown).toContain('Connection refused to 127.0.0.1:5432');
    expect(markdown).toContain('ignore all previous instructions');
    expect(markdown).not.toContain(SECRET);
    expect(record.summary.critical).toBeGreaterThanOrEqual(1);
    const history = await monitor.reportHistory();
    expect(history.map((r) => r.historyPath)).toContain(record.historyPath);
    expect(await readFile(record.historyPath!, 'utf8')).toBe(markdown);
    expect((await monitor.latestReport())?.record.generatedAt).toBeGreaterThanOrEqual(record.generatedAt);
    await expect(monitor.writeReport({ output: '../outside.md' })).rejects.toThrow(work);
  });

  it('fires a trigger on an error burst and writes the report by itself', async () => {
    const events: EngineEvent[] = [];
    const unsubscribe = monitor.subscribe((e) => events.push(e));
    await startWithEnv(pm2, 'burst', join(FIXTURE_APPS, 'api-sim.cjs'), { BURST_DELAY_MS: '1500' });
    const view = await monitor.startMonitor({ processes: ['burst'], reportPath: 'docs/burst.md' });
    const status = await waitFor(async () => {
      const s = await monitor.status(view.id);
      return s.monitors[0].lastReport ? s : undefined;
    }, 30_000, 'a triggered report');
    unsubscribe();
    expect(status.monitors[0].lastFiring?.cause).toMatch(/error-burst|exception|new-error-pattern/);
    expect(status.monitors[0].lastReport?.path).toBe(join(work, 'docs', 'burst.md'));
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('error');
    expect(kinds).toContain('report');

    expect(status.daemon.alive).toBe(true);
    expect(status.processes.map((p) => p.name).sort()).toEqual(['api', 'burst', 'hello']);
  });

  it('lets a second engine attach read-only and read what the first one stored', async () => {
    const reader = await createMonitor(config);
    opened.push(reader);
    expect(reader.readOnly).toBe(true);
    const seen = reader.queryLogs({ processes: ['api'], search: 'api ready' });
    expect(seen.matched).toBe(1);
    await expect(reader.catchUp()).rejects.toThrow(/read-only/);
    const status = await reader.status();
    expect(status.readOnly).toBe(true);
  });
});
