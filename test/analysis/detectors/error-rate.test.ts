import { describe, expect, it } from 'vitest';
import { detectErrorRate } from '../../../src/analysis/detectors/error-rate.js';
import { MIN, SEC, T0, Window } from './fixtures.js';

describe('detectErrorRate', () => {
  it('reports a process whose entries are a quarter errors as critical, with bounded evidence', () => {
    const w = new Window();
    const errors: number[] = [];
    for (let i = 0; i < 100; i++) {
      const isError = i % 10 < 3;
      const seq = w.log({ at: i * 10 * SEC, level: isError ? 'error' : 'info', message: isError ? 'Failed to charge card: gateway returned 502' : `GET /cart 200 ${i} ms - 80` });
      if (isError) errors.push(seq);
    }
    const [f] = detectErrorRate(w.context({}, { burstMinErrors: 1000 }));
    expect(f.id).toBe('error-rate:api');
    expect(f.title).toBe('High error rate in api: 30% of 100 entries');
    expect(f.severity).toBe('critical');
    expect(f.evidence.count).toBe(30);
    expect(f.evidence.seqs).toEqual([...errors.slice(0, 10), ...errors.slice(-10)]);
    expect(f.evidence.samples).toEqual(['Failed to charge card: gateway returned 502']);
    expect(f.data).toEqual({ errors: 30, entries: 100, errorRate: 0.3 });
  });

  it('finds a burst against the recent baseline', () => {
    const w = new Window();
    for (let m = 0; m < 20; m++) {
      for (let i = 0; i < 30; i++) w.log({ at: m * MIN + i * SEC, message: `GET /feed 200 ${i} ms - 1200` });
      w.log({ at: m * MIN + 45 * SEC, level: 'error', message: 'upstream timeout on /feed' });
    }
    const burst: number[] = [];
    for (let i = 0; i < 40; i++) burst.push(w.log({ at: 15 * MIN + i * SEC, level: 'error', message: `connect ECONNREFUSED 127.0.0.1:6379 (attempt ${i})` }));
    const findings = detectErrorRate(w.context({ now: T0 + 20 * MIN }));
    const f = findings.find((x) => x.detector === 'error-burst');
    expect(f?.title).toBe('Error burst in api: 41 errors in 1 min (baseline 1/min)');
    expect(f?.severity).toBe('warning');
    expect(f?.evidence.count).toBe(41);
    expect(f?.data).toMatchObject({ peakErrors: 41, baselinePerBucket: 1, bursts: 1, peakAt: T0 + 15 * MIN });
  });

  it('finds a burst in a short window that a trigger cut right after it', () => {
    const w = new Window();
    for (let i = 0; i < 60; i++) w.log({ at: i * SEC, message: `GET /feed 200 ${i} ms - 1200` });
    for (let i = 0; i < 25; i++) w.log({ at: MIN + i * SEC, level: 'error', message: 'upstream timeout on /feed' });
    const [f] = detectErrorRate(w.context({ now: T0 + 2 * MIN }, { errorRateWarning: 1 }));
    expect(f.title).toBe('Error burst in api: 25 errors in 1 min (baseline 0/min)');
  });

  it('adds an overall finding when errors are spread over processes that stay below the thresholds alone', () => {
    const w = new Window();
    for (const process of ['api', 'worker', 'cron']) {
      for (let i = 0; i < 20; i++) w.log({ at: i * SEC, process, level: i < 4 ? 'error' : 'info', message: 'job failed: timeout' });
    }
    const findings = detectErrorRate(w.context());
    expect(findings.map((f) => [f.id, f.severity, f.title, f.processes])).toEqual([
      ['error-rate:*', 'warning', 'High error rate across 3 processes: 20% of 60 entries', ['api', 'cron', 'worker']],
    ]);
  });

  it('says nothing about a busy app with an occasional error', () => {
    const w = new Window();
    for (let i = 0; i < 2000; i++) w.log({ at: i * 500, level: i % 400 === 7 ? 'error' : 'info', message: `GET /p/${i} 200 3 ms - 10` });
    expect(detectErrorRate(w.context())).toEqual([]);
  });
});
