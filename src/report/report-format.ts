// Numbers, sizes, durations and times as a report shows them. Every format is fixed (no locale from
// the machine) so that the same result renders the same text everywhere.

export interface TimeFormatter {
  /** `2026-12-04 18:05:09`. */
  dateTime(ms: number): string;
  /** `18:05:09`. */
  time(ms: number): string;
  /** `18:05`, or `12-04 18:05` when `withDate`. */
  short(ms: number, withDate: boolean): string;
  /** `2026-12-04`. */
  date(ms: number): string;
  zone: string;
}

export function timeFormatter(timeZone = 'UTC'): TimeFormatter {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new RangeError(`unknown time zone '${timeZone}'; use an IANA name such as 'UTC' or 'Europe/Paris'`);
  }
  const parts = (ms: number) => {
    const out: Record<string, string> = {};
    for (const p of format.formatToParts(new Date(ms))) out[p.type] = p.value;
    return out;
  };
  return {
    zone: timeZone,
    dateTime(ms) {
      const p = parts(ms);
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
    },
    time(ms) {
      const p = parts(ms);
      return `${p.hour}:${p.minute}:${p.second}`;
    },
    short(ms, withDate) {
      const p = parts(ms);
      return withDate ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.hour}:${p.minute}`;
    },
    date(ms) {
      const p = parts(ms);
      return `${p.year}-${p.month}-${p.day}`;
    },
  };
}

/** `12,345`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [int, frac] = String(Math.round(n * 100) / 100).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac ? `${grouped}.${frac}` : grouped;
}

/** A 0..1 fraction as a percentage with two decimals. */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)}%` : 'n/a';
}

const MIB = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (Math.abs(bytes) >= 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
  if (Math.abs(bytes) >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  if (Math.abs(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${formatCount(Math.round(ms))} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** `1 h 05 min`, `2 min 30 s`, `45 s`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days} d ${pad(hours)} h`;
  if (hours > 0) return `${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${pad(seconds)} s`;
  return `${seconds} s`;
}

/** A bucket width: `30 s`, `5 min`, `2 h`. */
export function formatBucket(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function formatPercentOfCore(cpu: number): string {
  return Number.isFinite(cpu) ? `${cpu.toFixed(1)}%` : 'n/a';
}
