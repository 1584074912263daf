// Reports on a cron schedule. Runs never overlap: a run still writing when the next is due makes
// that one skip. A failed run is reported and the schedule carries on.
import { Cron } from 'croner';

export interface ScheduleOptions {
  /** IANA zone the expression is read in; the machine's zone when absent. */
  timezone?: string;
  /** Called with each failed run's error; the default writes one line to stderr. */
  onError?: (error: unknown) => void;
}

export interface ScheduledReports {
  stop(): void;
  /** When the next run is due, or null once stopped or when the expression matches no future time. */
  next(): Date | null;
}

export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

function reportToStderr(error: unknown): void {
  process.stderr.write(`pm2-log-monitor: scheduled report failed: ${error instanceof Error ? error.message : String(error)}\n`);
}

export function scheduleReports(cron: string, run: () => Promise<void>, options: ScheduleOptions = {}): ScheduledReports {
  const onError = options.onError ?? reportToStderr;
  let job: Cron;
  try {
    job = new Cron(cron, { timezone: options.timezone, protect: true, paused: true }, async () => {
      try {
        await run();
      } catch (error) {
        onError(error);
      }
    });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\.+$/, '');
    throw new ScheduleError(
      `invalid report schedule '${cron}'${options.timezone ? ` in time zone '${options.timezone}'` : ''}: ${reason}. ` +
        `Use a cron expression such as '0 * * * *' (hourly) or '*/15 * * * *' (every 15 minutes); a sixth leading field gives seconds.`,
    );
  }
  if (job.nextRun() === null) {
    job.stop();
    throw new ScheduleError(`report schedule '${cron}' never fires: it matches no future time`);
  }
  job.resume();
  return {
    stop: () => job.stop(),
    next: () => job.nextRun(),
  };
}
