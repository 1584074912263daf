// kill -9 in the middle of appends: every record reported durable must come back, and the tail
// must be clean (cut back once, then nothing torn or corrupt on the next open).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferLockedError, LogBuffer } from '../../src/buffer/log-buffer.js';
import { makeEntry, tempDir, type TempDir } from './fixtures/entries.js';

const WRITER = resolve(import.meta.dirname, 'fixtures/crash-writer.ts');
const OPTIONS = { maxEntries: 500_000, maxBytes: 256 * 1024 * 1024, segmentBytes: 1024 * 1024, fsyncIntervalMs: 60_000 };

let dir: TempDir;

beforeAll(async () => {
  dir = await tempDir('plm-crash-');
});

afterAll(async () => {
  await dir.dispose();
});

/** Runs the writer until it has reported `minDurable` more durable entries, then SIGKILLs it. */
async function runAndKill(minDurable: number, whileRunning?: (pid: number) => Promise<void>): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  let start: number | undefined;
  let durable = 0;
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const [word, value] = line.split(' ');
      if (word === 'ready') start = Number(value);
      if (word === 'durable') durable = Number(value);
      if (whileRunning && start !== undefined && durable > start) {
        await whileRunning(child.pid as number);
        whileRunning = undefined;
      }
      if (start !== undefined && durable >= start + minDurable) {
        child.kill('SIGKILL');
        break;
      }
    }
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return durable;
}

function expectedMessage(seq: number): string {
  return `crash test line ${seq} ${'x'.repeat(seq % 300)}`;
}

describe('crash during appends', () => {
  it('keeps every fsynced record and leaves a clean tail, over several kills', async () => {
    let previous = 0;
    for (let round = 0; round < 3; round++) {
      const durable = await runAndKill(5000, async (pid) => {
        // Another process holds the directory: a writer is refused by pid, a reader is welcome.
        const error = await LogBuffer.open({ dir: dir.path, ...OPTIONS }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BufferLockedError);
        expect((error as BufferLockedError).pid).toBe(pid);
        const reader = await LogBuffer.open({ dir: dir.path, ...OPTIONS, readOnly: true });
        expect(reader.stats().lastSeq).toBeGreaterThan(previous);
        await reader.close();
      });
      const buffer = await LogBuffer.open({ dir: dir.path, ...OPTIONS });
      try {
        expect(buffer.recovery.corrupt).toBe(0);
        const stats = buffer.stats();
        expect(stats.firstSeq).toBe(1);
        expect(stats.lastSeq).toBeGreaterThanOrEqual(durable);
        expect(stats.lastSeq).toBeGreaterThan(previous);
        const entries = buffer.range(1);
        expect(entries.length).toBe(stats.lastSeq);
        for (const [i, entry] of entries.entries()) {
          if (entry.seq !== i + 1 || entry.message !== expectedMessage(entry.seq)) {
            expect({ seq: entry.seq, message: entry.message }).toEqual({ seq: i + 1, message: expectedMessage(i + 1) });
          }
        }
        expect(entries[0]).toMatchObject({ ...makeEntry(0), message: expectedMessage(1), raw: makeEntry(0).raw });
        previous = stats.lastSeq as number;
      } finally {
        await buffer.close();
      }
      const again = await LogBuffer.open({ dir: dir.path, ...OPTIONS });
      expect(again.recovery).toMatchObject({ corrupt: 0, tornBytes: 0, records: previous });
      await again.close();
    }
  });
});
