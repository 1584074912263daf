// What the engine announces to waiting agents and resource subscribers: errors and new patterns
// from stored entries, crashes and restarts from PM2's process events. One line each, for a model
// or a person to read.
import type { EngineEvent } from '../core/engine.js';
import type { LogEntry, ProcessEvent } from '../core/types.js';

const SUMMARY_CHARS = 300;

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  const line = end === -1 ? text : text.slice(0, end);
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS)}…` : line;
}

/** An event per stored error entry, then one per entry that opened a new pattern. Entries carry their seq. */
export function entryEvents(stored: readonly LogEntry[], newPatterns: readonly LogEntry[]): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (const entry of stored) {
    if (entry.level !== 'error') continue;
    events.push({ kind: 'error', at: entry.timestamp, process: entry.process, seq: entry.seq, patternId: entry.patternId, summary: firstLine(entry.message) });
  }
  for (const entry of newPatterns) {
    const summary = `new ${entry.level} pattern: ${firstLine(entry.message)}`;
    events.push({ kind: 'new_pattern', at: entry.timestamp, process: entry.process, seq: entry.seq, patternId: entry.patternId, summary });
  }
  return events;
}

/**
 * A crash (an uncaught exception, or an exit PM2 did not ask for with a code other than 0), a
 * restart, or nothing worth announcing (starts, manual stops).
 */
export function processEngineEvent(event: ProcessEvent): EngineEvent | undefined {
  const { at, process } = event;
  if (event.kind === 'exception') {
    return { kind: 'crash', at, process, summary: `${process}: uncaught ${event.errorName ?? 'error'}: ${event.message ?? ''}` };
  }
  if (event.kind === 'exit' && !event.manually && event.exitCode !== 0) {
    return { kind: 'crash', at, process, summary: `${process} exited with code ${event.exitCode ?? '?'}${event.signal ? ` (${event.signal})` : ''}` };
  }
  if (event.kind === 'restart' || (event.kind === 'online' && !event.manually)) {
    return { kind: 'restart', at, process, summary: `${process} ${event.kind}` };
  }
  return undefined;
}
