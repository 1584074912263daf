// Plain-text formatting for people at a terminal, in PM2's habits: aligned tables, short units.

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  const units = ['b', 'kb', 'mb', 'gb', 'tb'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}D`;
}

export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A boxed table like `pm2 ls`; cells are cut to keep rows on one line. */
export function table(headers: string[], rows: Array<Array<string | number>>, maxCell = 60): string {
  const cells = rows.map((row) => row.map((c) => oneLine(String(c), maxCell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const line = (values: string[]) => '│' + widths.map((w, i) => ` ${(values[i] ?? '').padEnd(w)} `).join('│') + '│';
  return [rule('┌', '┬', '┐'), line(headers), rule('├', '┼', '┤'), ...cells.map(line), rule('└', '┴', '┘')].join('\n');
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
