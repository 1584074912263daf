import { afterEach, describe, expect, it } from 'vitest';
import { ScheduleError, scheduleReports, type ScheduledReports } from '../../src/report/report-schedule.js';

const jobs: ScheduledReports[] = [];
function track(job: ScheduledReports): ScheduledReports {
  jobs.push(job);
  return job;
}

afterEach(() => {
  for (const job of jobs.splice(0)) job.stop();
});

describe('scheduleReports', () => {
  it('tells when the next run is due, in the given time zone, and nothing once stopped', () => {
    const job = track(scheduleReports('0 9 * * *', async () => undefined, { timezone: 'Asia/Tokyo' }));
    const next = job.next();
    expect(next).toBeInstanceOf(Date);
    expect(next!.getTime()).toBeGreaterThan(Date.now());
    expect(next!.getUTCHours()).toBe(0);
    expect(next!.getUTCMinutes()).toBe(0);
    job.stop();
    expect(job.next()).toBeNull();
  });

  it('rejects an invalid expression or zone with a message that says what to write', () => {
    expect(() => scheduleReports('every hour', async () => undefined)).toThrow(ScheduleError);
    expect(() => scheduleReports('61 * * * *', async () => undefined)).toThrow(/invalid report schedule '61 \* \* \* \*': .*minute.*Use a cron expression such as '0 \* \* \* \*'/);
    expect(() => scheduleReports('0 * * * *', async () => undefined, { timezone: 'Mars/Olympus' })).toThrow(/in time zone 'Mars\/Olympus'/);
    expect(() => scheduleReports('0 0 30 2 *', async () => undefined)).toThrow(/never fires/);
  });

  it('keeps running after a failed run and never overlaps a slow one', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const third = new Promise<void>((done) => {
      release = done;
    });
    track(
      scheduleReports(
        '* * * * * *',
        async () => {
          runs += 1;
          active += 1;
          maxActive = Math.max(maxActive, active);
          try {
            if (runs === 1) throw new Error('disk full');
            // The second run outlasts the next tick: that tick must be skipped, not run alongside.
            if (runs === 2) await new Promise((r) => setTimeout(r, 1500));
            if (runs === 3) release();
          } finally {
            active -= 1;
          }
        },
        { onError: (e) => errors.push(e) },
      ),
    );
    await third;
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
    expect(maxActive).toBe(1);
  });
});
