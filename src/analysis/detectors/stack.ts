// Reads a JavaScript error out of a log record: its name, message, and the top APPLICATION frame
// (node:internal, internal/ and node_modules frames skipped), plus whether it is an unhandled rejection.
// Under PM2 an uncaught exception is printed as a plain `err.stack`; an unhandled rejection is preceded
// by PM2's own "You have triggered an unhandledRejection" line (or Node's banner when PM2's is absent).

export interface ParsedStack {
  /** TypeError, Error, MongoServerError, UnhandledRejection (no Error object) ... */
  name: string;
  /** First line of the error message. */
  message: string;
  /** `/app/src/handler.js:42`: top application frame, else the top frame; absent without frames. */
  frame?: string;
  /** Whether the top frame is application code. */
  appFrame: boolean;
  frames: number;
  rejection: boolean;
  /** Node's own crash banner for a rejection (the process exits with it). */
  fatalRejection: boolean;
}

/** `    at fn (/app/x.js:1:2)` or `    at /app/x.js:1:2`; util.inspect adds ` {` when the error has own properties. */
const FRAME = /^\s+at\s+(?:.*?\s+\()?((?:file:\/\/)?[^()\s]+?)(?::(\d+))?(?::\d+)?\)?(?:\s*\{)?\s*$/;
const HAS_FRAME = /\n\s+at\s/;
const HEADER = /(?:^|[^\w$])([A-Z][\w$]*(?:Error|Exception)|Error)(?: \[[\w.-]+\])?: (.*)$/;
const PM2_REJECTION = /You have triggered an unhandledRejection/;
const NODE_REJECTION = /\[UnhandledPromiseRejection: .*?(?:reason "(.*)"\.)?\]/;
const REJECTION = /unhandledRejection|UnhandledPromiseRejection|Unhandled (?:promise )?rejection|ERR_UNHANDLED_REJECTION|triggerUncaughtException\(err, true/i;
/** Every REJECTION alternative contains one of these (case-sensitive literals scan fast). */
const REJECTION_HINT = /ejection|EJECTION|fromPromise/;
const FATAL_REJECTION = /ERR_UNHANDLED_REJECTION|triggerUncaughtException\(err, true/;

/** Cheap test run on every entry before the full parse. */
export function mayHoldStack(text: string): boolean {
  return text.includes('    at ') || REJECTION_HINT.test(text);
}

function isLibraryLocation(location: string): boolean {
  return (
    location.startsWith('node:') ||
    location.startsWith('internal/') ||
    location.includes('/node_modules/') ||
    location.includes('\\node_modules\\') ||
    location === '<anonymous>' ||
    location === 'native'
  );
}

export function parseStack(text: string): ParsedStack | undefined {
  const rejection = REJECTION.test(text);
  if (!rejection && !HAS_FRAME.test(text)) return undefined;
  const lines = text.split('\n');
  let firstFrame = -1;
  let frames = 0;
  let frame: string | undefined;
  let appFrame = false;
  for (let i = 0; i < lines.length; i++) {
    const m = FRAME.exec(lines[i]);
    if (!m) continue;
    if (firstFrame < 0) firstFrame = i;
    frames++;
    const location = m[1].replace(/^file:\/\//, '');
    const at = m[2] ? `${location}:${m[2]}` : location;
    if (frame === undefined) frame = at;
    if (!appFrame && !isLibraryLocation(location)) {
      frame = at;
      appFrame = true;
    }
  }
  let name: string | undefined;
  let message: string | undefined;
  const headerEnd = firstFrame < 0 ? lines.length : firstFrame;
  for (let i = headerEnd - 1; i >= 0 && name === undefined; i--) {
    const m = HEADER.exec(lines[i]);
    if (m) {
      name = m[1];
      message = m[2].trim();
    }
  }
  if (name === undefined) {
    const node = NODE_REJECTION.exec(text);
    if (node) {
      name = 'UnhandledPromiseRejection';
      message = node[1] ?? 'a promise rejected with a non-Error reason';
    } else if (rejection) {
      // PM2 prints a non-Error reason on its own after its banner line.
      const banner = lines.findIndex((l) => PM2_REJECTION.test(l));
      name = 'UnhandledRejection';
      message = lines.slice(banner + 1).find((l) => l.trim() !== '')?.trim() ?? lines[0].trim();
    } else {
      name = 'Error';
      message = (lines[headerEnd - 1] ?? lines[0]).trim();
    }
  }
  return {
    name,
    message: message ?? '',
    frame,
    appFrame,
    frames,
    rejection,
    fatalRejection: FATAL_REJECTION.test(text),
  };
}
