import { describe, expect, it } from 'vitest';
import { analyzeWindow, analyzeWindowDetailed } from '../../src/analysis/analyze.js';
import { TemplateMiner } from '../../src/analysis/miner/template-miner.js';
import { MIN, SEC, T0, Window } from './detectors/fixtures.js';
import { healthy, incident, INCIDENT_PROCESSES } from './scenarios.js';

const NOW = T0 + 30 * MIN;

describe('analyzeWindow', () => {
  it('finds every problem of the incident, critical first, then by count', () => {
    const w = incident();
    const result = analyzeWindow({ entries: w.entries, samples: w.samples, events: w.events, processes: INCIDENT_PROCESSES, now: NOW });
    expect(result.mode).toBe('heuristic');
    expect(result.findings.map((f) => [f.severity, f.evidence.count, f.title])).toEqual([
      ['critical', 30, 'Connection refused to 127.0.0.1:5432 (PostgreSQL) in api (30 times)'],
      ['critical', 4, 'Crash loop in worker: 4 unexpected exits (code 1 ×4), every 60 s (median)'],
      ['critical', 4, "Cannot find module 'dayjs' in worker (4 times)"],
      ['critical', 1, "Uncaught TypeError in api (once) at /app/src/handler.js:42: Cannot read properties of undefined (reading 'id')"],
      ['critical', 1, 'Port 3000 already in use (EADDRINUSE) in api (once)'],
      ['warning', 34, 'High error rate in api: 8.9% of 384 entries'],
      ['warning', 31, 'Memory growing in cache: +2 MB/min (100 MB → 160 MB over 30 min)'],
      ['warning', 30, 'Error burst in api: 30 errors in 1 min (baseline 0/min)'],
      ['warning', 2, 'api exited unexpectedly 2 times (code 1 ×2)'],
      ['warning', 2, 'Unhandled promise rejection in api (2 times) at /app/src/repo/users.js:17: UnhandledRejection: error: relation "users" does not exist'],
      ['warning', 2, 'Slow route POST /checkout in api: p95 1500 ms (p50 100 ms, 20 requests)'],
    ]);
    const refused = result.findings[0];
    expect(refused.evidence.seqs).toHaveLength(20);
    expect(refused.evidence.seqs.every((seq) => w.entries[seq - 1].message.includes('ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
    expect(refused.evidence.firstSeen).toBe(T0 + 20 * MIN);
    expect(refused.evidence.lastSeen).toBe(T0 + 20 * MIN + 58 * SEC);
    expect(refused.evidence.patternIds).toHaveLength(1);
    expect(result.patterns.find((p) => p.id === refused.evidence.patternIds?.[0])?.template).toBe('Error: connect ECONNREFUSED <*>');
  });

  it('computes totals and per-process metrics', () => {
    const w = incident();
    const result = analyzeWindow({ entries: w.entries, samples: w.samples, events: w.events, processes: INCIDENT_PROCESSES, now: NOW });
    expect(result.totals).toEqual({ entries: 392, errors: 38, warnings: 0, errorRate: 38 / 392, processes: ['api', 'cache', 'worker'] });
    expect(result.window).toEqual({ fromSeq: 1, toSeq: 393, since: T0, until: NOW });
    const [api, cache, worker] = result.metrics;
    // 300 requests at 10..100 ms, 30 at 2.1 ms, 18 at 100, one 1500, one 2500: by nearest rank p50 is
    // the 175th value (50), p95 the 333rd (100), p99 the 347th (100); the mean is 22363 / 350.
    expect(api).toMatchObject({ process: 'api', pmIds: [0], pids: [3101, 3150], entries: 384, errors: 34, warnings: 0, restarts: 2 });
    expect(api.latency).toEqual({ count: 350, avgMs: 63.89, p50Ms: 50, p95Ms: 100, p99Ms: 100, maxMs: 2500 });
    expect(cache.memory).toEqual({ avg: 130 * 1024 * 1024, peak: 160 * 1024 * 1024, last: 160 * 1024 * 1024, slopeBytesPerMin: 2 * 1024 * 1024 });
    expect(worker).toMatchObject({ entries: 8, errors: 4, restarts: 4 });
  });

  it('raises nothing critical, nor any warning, for a healthy busy app', () => {
    const w = healthy();
    const result = analyzeWindow({ entries: w.entries, samples: w.samples, events: w.events, now: NOW });
    expect(result.totals.entries).toBeGreaterThan(7000);
    expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.findings.map((f) => f.id).sort()).toEqual(['exception:api:JsonWebTokenError@/app/src/auth.js:20~d35e3947', 'signature:ECONNRESET']);
    expect(result.metrics.map((m) => m.restarts)).toEqual([0, 0]);
  });

  it('keeps finding ids stable and reports new and resolved patterns with the live miner', () => {
    const miner = new TemplateMiner({ now: () => NOW });
    const first = new Window();
    for (let i = 0; i < 50; i++) first.log({ at: i * SEC, message: `GET /users/${i} 200 ${i % 7} ms - 90` });
    for (let i = 0; i < 12; i++) first.log({ at: i * 3 * SEC, stream: 'err', message: `Error: connect ECONNREFUSED 127.0.0.1:5432 (pool client ${i})` });
    const a = analyzeWindowDetailed({ entries: first.entries, miner, now: T0 + MIN });
    expect(a.result.findings.some((f) => f.detector === 'new-pattern')).toBe(false);

    const second = new Window(1000);
    for (let i = 0; i < 50; i++) second.log({ at: 2 * MIN + i * SEC, message: `GET /users/${i + 50} 200 ${i % 5} ms - 90` });
    for (let i = 0; i < 6; i++) second.log({ at: 2 * MIN + i * SEC, stream: 'err', message: `Payment provider rejected charge ch_${i}x: card_declined` });
    const b = analyzeWindowDetailed({ entries: second.entries, miner, previous: { patternCounts: a.patternCounts, at: T0 + MIN }, now: T0 + 3 * MIN });
    const fresh = b.result.findings.find((f) => f.detector === 'new-pattern');
    expect(fresh?.title).toBe('New error pattern in api (6 times): Payment provider rejected charge ch_<*>: card_declined');
    expect(fresh?.severity).toBe('warning');
    expect(fresh?.evidence.seqs).toEqual([1050, 1051, 1052, 1053, 1054, 1055]);
    const resolved = b.result.findings.find((f) => f.detector === 'pattern-resolved');
    expect(resolved?.title).toBe('Error pattern stopped: Error: connect ECONNREFUSED <*> (pool client <*>) (12 in the previous analysis, none since)');
    const trends = Object.fromEntries(b.result.patterns.map((p) => [p.template, [p.count, p.trend]]));
    expect(trends).toEqual({
      'GET <*> <*> <*> <*> - <*>': [50, 'steady'],
      'Payment provider rejected charge ch_<*>: card_declined': [6, 'new'],
      'Error: connect ECONNREFUSED <*> (pool client <*>)': [0, 'resolved'],
    });

    // The same problem in a later window keeps its id.
    const third = new Window(5000);
    for (let i = 0; i < 12; i++) third.log({ at: 10 * MIN + i * SEC, stream: 'err', message: `Error: connect ECONNREFUSED 127.0.0.1:5432 (pool client ${i + 40})` });
    const c = analyzeWindow({ entries: third.entries, miner, now: T0 + 11 * MIN });
    const ids = (r: typeof c) => r.findings.filter((f) => f.detector === 'signature').map((f) => f.id);
    expect(ids(c)).toEqual(ids(a.result));
  });

  it('does not count entries twice that the live miner already saw on the capture path', () => {
    const miner = new TemplateMiner({ now: () => NOW });
    const w = new Window();
    for (let i = 0; i < 5; i++) w.log({ at: i * SEC, message: `user u${i} logged in` });
    for (const e of w.entries) e.patternId = miner.add(e.message, { timestamp: e.timestamp, process: e.process, level: e.level, seq: e.seq }).id;
    const result = analyzeWindow({ entries: w.entries, miner, now: NOW });
    expect(result.patterns.reduce((n, p) => n + p.count, 0)).toBe(5);
    expect(miner.summaries().reduce((n, p) => n + p.count, 0)).toBe(5);
  });

  it('counts every error and warning once in the totals when templates merge during the window', () => {
    const w = new Window();
    ['root', 'news', 'test', 'alice', 'bob', 'carol'].forEach((name, i) => w.log({ at: i * SEC, message: `login refused for user ${name}`, level: i % 2 ? 'warn' : 'error' }));
    w.log({ at: 10 * SEC, message: 'server listening', level: 'info' });
    const { result, patternCounts } = analyzeWindowDetailed({ entries: w.entries, now: NOW });
    expect(Object.values(patternCounts)).toHaveLength(2);
    expect(result.totals).toEqual({ entries: 7, errors: 3, warnings: 3, errorRate: 3 / 7, processes: ['api'] });
  });

  it('bounds findings and says what it left out; notes coverage gaps', () => {
    const w = incident();
    const result = analyzeWindow(
      { entries: w.entries, samples: w.samples, events: w.events, now: NOW, gaps: [{ kind: 'dropped', at: T0, count: 12, detail: 'bus backlog' }] },
      { maxFindings: 3, maxPatterns: 2, evidenceSamples: 1, evidenceSeqs: 4 },
    );
    expect(result.findings).toHaveLength(3);
    expect(result.patterns).toHaveLength(2);
    expect(result.findings[0].evidence.seqs).toHaveLength(4);
    expect(result.findings[0].evidence.samples).toHaveLength(1);
    expect(result.notes).toEqual([
      '8 more findings left out (3 of 11 shown, most severe first).',
      'Coverage gaps in this window: 1 (12 lines or entries not seen); counts may be low.',
    ]);
    expect(result.gaps).toHaveLength(1);
  });

  it('takes thresholds as options and rejects bad ones', () => {
    const w = incident();
    const strict = analyzeWindow({ entries: w.entries, now: NOW }, { latencySlowP95Ms: 90 });
    expect(strict.findings.some((f) => f.id === 'latency:api:GET_/users/<*>')).toBe(true);
    expect(() => analyzeWindow({ entries: [], now: NOW }, { maxFindings: 0 })).toThrow('analyze option maxFindings must be an integer >= 1, got 0');
    expect(() => analyzeWindow({ entries: [], now: NOW }, { burstFactor: -1 })).toThrow('analyze option burstFactor must be a finite number >= 0, got -1');
    expect(() => analyzeWindow({ entries: [], now: NOW }, { nope: 1 } as never)).toThrow('unknown analyze option nope');
  });

  it('leaves exits and restarts from before the window to the analysis that saw them', () => {
    const w = new Window();
    for (const m of [1, 2, 3, 4]) w.event(m * MIN, 'worker', 'exit', { exitCode: 1 });
    w.sample(0, 'worker', 50 * 1024 * 1024, { restarts: 0 });
    w.sample(4 * MIN, 'worker', 50 * 1024 * 1024, { restarts: 4 });
    w.sample(20 * MIN, 'worker', 50 * 1024 * 1024, { restarts: 4 });
    w.log({ at: 10 * MIN, process: 'worker', message: 'queue drained' });
    const input = { entries: w.entries, samples: w.samples, events: w.events, now: T0 + 20 * MIN };
    const later = analyzeWindow(input);
    expect(later.findings).toEqual([]);
    expect(later.metrics.map((m) => [m.process, m.restarts])).toEqual([['worker', 0]]);
    const covering = analyzeWindow({ ...input, since: T0 });
    expect(covering.findings.map((f) => [f.id, f.severity])).toEqual([['restarts:worker', 'critical']]);
    expect(covering.window.since).toBe(T0);
  });

  it('analyzes an empty window', () => {
    const result = analyzeWindow({ entries: [], now: NOW });
    expect(result).toMatchObject({ window: { fromSeq: 0, toSeq: 0, since: NOW, until: NOW }, findings: [], patterns: [], metrics: [], notes: [] });
    expect(result.totals).toEqual({ entries: 0, errors: 0, warnings: 0, errorRate: 0, processes: [] });
  });
});
