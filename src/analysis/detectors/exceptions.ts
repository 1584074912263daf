// Uncaught exceptions, unhandled rejections and logged stack traces, grouped by signature: error name
// + message template + top application frame. PM2 both logs an uncaught stack and sends a
// process:exception event for it, so one crash is counted once (the larger of the two counts).
import type { Finding } from '../../core/types.js';
import { templateOf, times, type DetectorContext } from './context.js';
import { EvidenceCollector, hashedFindingId } from './evidence.js';
import { exitsOf } from './restarts.js';
import { knownSignatureOf } from './signatures.js';
import { mayHoldStack, parseStack, type ParsedStack } from './stack.js';

const DETECTOR = 'exception';
/** PM2 exits the process right after an uncaught exception: a stack followed this soon by an exit crashed it. */
const CRASH_FOLLOW_MS = 5_000;

interface Group {
  process: string;
  parsed: ParsedStack;
  signature: string;
  fromLogs: number;
  fromEvents: number;
  /** Occurrences followed by an exit, per source (the same crash shows in both). */
  crashes: { log: number; event: number };
  evidence: EvidenceCollector;
}

function exitWithin(exitTimes: readonly number[], at: number): boolean {
  return exitTimes.some((t) => t >= at && t - at <= CRASH_FOLLOW_MS);
}

function eventText(ev: { errorName?: string; message?: string; stack?: string }): string {
  if (ev.stack) return ev.stack;
  return `${ev.errorName ?? 'Error'}: ${ev.message ?? ''}`;
}

function crashesOf(g: Group): number {
  return Math.max(g.crashes.log, g.crashes.event);
}

function kindOf(g: Group): 'uncaught' | 'rejection' | 'logged' {
  if (g.parsed.rejection) return 'rejection';
  if (crashesOf(g) > 0 || g.fromEvents > 0) return 'uncaught';
  return 'logged';
}

export function detectExceptions(ctx: DetectorContext): Finding[] {
  const groups = new Map<string, Group>();
  // The same crash repeats the same text: parse each distinct text once.
  const parsedTexts = new Map<string, { parsed: ParsedStack; signature: string } | null>();
  const processes = new Set([...ctx.byProcess.keys(), ...ctx.eventsByProcess.keys()]);
  for (const process of processes) {
    const exitTimes = exitsOf(ctx, process).map((x) => x.at);
    const take = (text: string, at: number, source: 'log' | 'event', seq?: number): void => {
      let read = parsedTexts.get(text);
      if (read === undefined) {
        const p = parseStack(text);
        read = p ? { parsed: p, signature: `${p.name}: ${templateOf(p.message)} @ ${p.frame ?? '(no frame)'}` } : null;
        parsedTexts.set(text, read);
      }
      if (!read) return;
      const { parsed, signature } = read;
      const key = `${process}\u0000${signature}`;
      let g = groups.get(key);
      if (!g) {
        g = { process, parsed, signature, fromLogs: 0, fromEvents: 0, crashes: { log: 0, event: 0 }, evidence: EvidenceCollector.for(ctx) };
        groups.set(key, g);
      }
      if (source === 'log') g.fromLogs++;
      else g.fromEvents++;
      if (exitWithin(exitTimes, at)) g.crashes[source]++;
      if (parsed.rejection && !g.parsed.rejection) g.parsed = parsed;
      g.evidence.add(at, text, seq);
    };
    for (const e of ctx.byProcess.get(process) ?? []) {
      if (e.stream !== 'pm2' && mayHoldStack(e.message)) take(e.message, e.timestamp, 'log', e.seq);
    }
    for (const ev of ctx.eventsByProcess.get(process) ?? []) {
      if (ev.kind === 'exception') take(eventText(ev), ev.at, 'event');
    }
  }

  const findings: Finding[] = [];
  for (const g of groups.values()) {
    const kind = kindOf(g);
    // ECONNREFUSED, EADDRINUSE, a missing module...: reported once, by the signature detector, whose
    // recommendation is specific and whose samples keep this stack.
    if (knownSignatureOf(`${g.parsed.name}: ${g.parsed.message}`)) continue;
    const count = Math.max(g.fromLogs, g.fromEvents);
    const howOften = times(count);
    const at = g.parsed.frame ? ` at ${g.parsed.frame}` : '';
    const what = `${g.parsed.name}: ${g.parsed.message}`;
    let severity: Finding['severity'];
    let title: string;
    let recommendation: string;
    if (kind === 'uncaught') {
      severity = 'critical';
      title = `Uncaught ${g.parsed.name} in ${g.process} (${howOften})${at}: ${g.parsed.message}`;
      recommendation =
        `Fix the code${at} so that it cannot throw ${g.parsed.name} on this input (guard the value, validate the request), ` +
        'and catch errors at the request or job boundary: an uncaught exception kills the process and every request in flight.';
    } else if (kind === 'rejection') {
      severity = crashesOf(g) > 0 || g.parsed.fatalRejection ? 'critical' : 'warning';
      title = `Unhandled promise rejection in ${g.process} (${howOften})${at}: ${what}`;
      recommendation =
        `Await the promise${at} inside try/catch or add .catch(): since Node 15 an unhandled rejection crashes the process ` +
        "unless a process.on('unhandledRejection') handler is installed, and with one it is silently lost.";
    } else {
      severity = count >= ctx.thresholds.loggedStackWarningCount ? 'warning' : 'info';
      title = `Logged ${g.parsed.name} in ${g.process} (${howOften})${at}: ${g.parsed.message}`;
      recommendation = `The application caught and logged this error${at}; check whether it should be prevented or handled more specifically.`;
    }
    findings.push({
      id: hashedFindingId(DETECTOR, [g.process, `${g.parsed.name}@${g.parsed.frame ?? '-'}`], g.signature),
      detector: DETECTOR,
      severity,
      title,
      processes: [g.process],
      summary:
        `${what} (${kind === 'logged' ? 'logged with a stack' : kind === 'rejection' ? 'unhandled rejection' : 'uncaught'}), ` +
        `${howOften} in ${g.process}${crashesOf(g) > 0 ? `, ${crashesOf(g)} followed by an exit` : ''}. Signature: ${g.signature}.`,
      evidence: { ...g.evidence.build(), count },
      recommendation,
      data: {
        kind,
        errorName: g.parsed.name,
        signature: g.signature,
        frame: g.parsed.frame ?? null,
        appFrame: g.parsed.appFrame,
        fromLogs: g.fromLogs,
        fromEvents: g.fromEvents,
        crashes: crashesOf(g),
      },
    });
  }
  return findings;
}
