import { describe, expect, it } from 'vitest';
import { detectRestarts } from '../../../src/analysis/detectors/restarts.js';
import { MIN, processInfo, SEC, Window } from './fixtures.js';

const CONFIG_ERROR = 'Error: Missing required environment variable DATABASE_URL\n    at loadConfig (/app/src/config.js:12:9)\n    at Object.<anonymous> (/app/src/worker.js:3:16)';

describe('detectRestarts', () => {
  it('finds a crash loop with its exit codes, the time between exits and the error before each exit', () => {
    const w = new Window();
    const errorSeqs: number[] = [];
    for (const at of [0, 30 * SEC, 70 * SEC, 120 * SEC, 180 * SEC]) {
      w.event(at - 400, 'worker', 'start');
      w.event(at - 350, 'worker', 'online');
      w.log({ at: at - 300, process: 'worker', message: 'worker starting, pid 4242' });
      errorSeqs.push(w.log({ at: at - 200, process: 'worker', stream: 'err', message: CONFIG_ERROR }));
      w.event(at, 'worker', 'exit', { exitCode: 1, signal: 'SIGINT' });
    }
    const [f] = detectRestarts(w.context());
    expect(f.id).toBe('restarts:worker');
    expect(f.severity).toBe('critical');
    expect(f.title).toBe('Crash loop in worker: 5 unexpected exits (code 1 ×5), every 45 s (median)');
    expect(f.evidence.count).toBe(5);
    expect(f.evidence.seqs).toEqual(errorSeqs);
    expect(f.evidence.samples).toEqual([
      `worker (pm_id 0) exited with code 1 at ${new Date(w.events[2].at).toISOString()}`,
      CONFIG_ERROR,
      `worker (pm_id 0) exited with code 1 at ${new Date(w.events[5].at).toISOString()}`,
    ]);
    expect(f.data).toMatchObject({ exits: 5, exitCodes: 'code 1 ×5', maxExitsInLoopWindow: 5, minIntervalMs: 30_000, medianIntervalMs: 45_000 });
  });

  it('is critical when PM2 gave up on the process', () => {
    const w = new Window();
    w.event(0, 'worker', 'exit', { exitCode: 2 });
    w.event(SEC, 'worker', 'restart overlimit');
    const [f] = detectRestarts(w.context({ processes: [processInfo('worker', { status: 'errored' })] }));
    expect(f.title).toBe('worker stopped by PM2 after too many unstable restarts');
    expect(f.severity).toBe('critical');
    expect(f.summary).toBe('PM2 gave up restarting worker (status errored) after 1 unexpected exit (code 2).');
  });

  it("does not take the daemon's own lines for an app that PM2 stopped", () => {
    const w = new Window();
    w.event(0, 'worker', 'exit', { exitCode: 1 });
    w.log({ at: SEC, process: 'PM2', pmId: -1, stream: 'pm2', message: 'Script /app/worker.js had too many unstable restarts (16). Stopped. "errored"' });
    const findings = detectRestarts(w.context({ processes: [processInfo('worker', { status: 'errored' })] }));
    expect(findings.map((f) => f.processes)).toEqual([['worker']]);
  });

  it("reads the daemon's exit lines when there are no events, as a warning below the loop threshold", () => {
    const w = new Window();
    const a = w.log({ at: 0, process: 'PM2', stream: 'pm2', level: 'warn', message: 'App [api:0] exited with code [1] via signal [SIGINT]' });
    w.log({ at: SEC, process: 'PM2', stream: 'pm2', message: 'App [api:0] starting in -fork mode-' });
    const b = w.log({ at: 20 * MIN, process: 'PM2', stream: 'pm2', level: 'warn', message: 'App [api:0] exited with code [1] via signal [SIGINT]' });
    const [f] = detectRestarts(w.context());
    expect(f.title).toBe('api exited unexpectedly 2 times (code 1 ×2)');
    expect(f.severity).toBe('warning');
    expect(f.evidence.seqs).toEqual([a, b]);
    expect(f.data?.medianIntervalMs).toBe(20 * MIN - 0);
  });

  it('falls back on the restart counter of the samples, and ignores manual restarts', () => {
    const w = new Window();
    w.sample(0, 'cron', 50e6, { restarts: 4 });
    w.sample(MIN, 'cron', 50e6, { restarts: 5 });
    w.sample(2 * MIN, 'cron', 50e6, { restarts: 6 });
    w.event(0, 'api', 'exit', { exitCode: 0, manually: true });
    const findings = detectRestarts(w.context());
    expect(findings.map((f) => [f.id, f.title, f.severity, f.evidence.count])).toEqual([['restarts:cron', 'cron restarted 2 times', 'warning', 2]]);
    expect(findings[0].evidence).toMatchObject({
      count: 2,
      firstSeen: w.samples[1].at,
      lastSeen: w.samples[2].at,
      samples: ['pm_id 0 restart counter 4 -> 5', 'pm_id 0 restart counter 5 -> 6'],
    });
  });
});
