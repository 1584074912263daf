// The resource addresses this server answers, in one place for the handlers and the subscriptions.

export const RECENT_LOGS_URI = 'pm2-logs://recent';
export const PROCESS_LOGS_TEMPLATE = 'pm2-logs://process/{name}';
export const PATTERNS_URI = 'pm2-logs://patterns';
export const PROCESSES_URI = 'pm2-logs://processes';
export const LATEST_REPORT_URI = 'pm2-report://latest';
export const REPORT_HISTORY_URI = 'pm2-report://history';

export const STATIC_URIS: readonly string[] = [
  RECENT_LOGS_URI,
  PATTERNS_URI,
  PROCESSES_URI,
  LATEST_REPORT_URI,
  REPORT_HISTORY_URI,
];

const PROCESS_PREFIX = 'pm2-logs://process/';

export function processLogsUri(name: string): string {
  return PROCESS_PREFIX + encodeURIComponent(name);
}

/** The process name of a pm2-logs://process/{name} address, or undefined for any other address. */
export function processOfUri(uri: string): string | undefined {
  if (!uri.startsWith(PROCESS_PREFIX)) return undefined;
  const encoded = uri.slice(PROCESS_PREFIX.length);
  if (encoded.length === 0 || encoded.includes('/')) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
