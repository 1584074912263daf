// Every PM2 file event is simulated with plain fs calls on real files. Reads are driven by readNow()
// (no start(), so no watcher races the scenario) except in the test of the watcher itself.
import {
  appendFileSync,
  chmodSync,
  closeSync,
  copyFileSync,
  futimesSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  statSync,
  truncateSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogTailer, LogTailerError, type FileCheckpoint, type LogTailerOptions, type TailGap } from '../../src/pm2/log-tailer.js';
import { seededRandom as random } from '../helpers/seeded-random.js';

let dir: string;
let log: string;
const tailers: LogTailer[] = [];
const fds: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plm-tailer-'));
  log = join(dir, 'api-out.log');
});

afterEach(async () => {
  await Promise.all(tailers.splice(0).map((t) => t.stop()));
  for (const fd of fds.splice(0)) closeSync(fd);
  await rm(dir, { recursive: true, force: true });
});

function follow(options: Partial<LogTailerOptions> = {}) {
  const chunks: Buffer[] = [];
  const checkpoints: FileCheckpoint[] = [];
  const gaps: TailGap[] = [];
  const errors: LogTailerError[] = [];
  const tailer = new LogTailer({
    path: log,
    startAt: 'start',
    onData: (chunk, after) => {
      chunks.push(chunk);
      checkpoints.push(after);
    },
    onGap: (gap) => gaps.push(gap),
    onError: (error) => errors.push(error as LogTailerError),
    ...options,
  });
  tailers.push(tailer);
  return { tailer, chunks, checkpoints, gaps, errors, text: () => Buffer.concat(chunks).toString() };
}

/** PM2 keeps its log files open in append mode: writes after a rename or delete still land in the old inode. */
function pm2Writer(path: string): (text: string) => void {
  const fd = openSync(path, 'a');
  fds.push(fd);
  return (text) => writeSync(fd, text);
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('LogTailer: start and resume', () => {
  it("reads an existing file from its start with startAt 'start', and only new bytes with 'end'", async () => {
    writeFileSync(log, 'old 1\nold 2\n');
    const fromStart = follow({ startAt: 'start' });
    const fromEnd = follow({ startAt: 'end' });
    await fromStart.tailer.readNow();
    await fromEnd.tailer.readNow();
    appendFileSync(log, 'new 1\n');
    await fromStart.tailer.readNow();
    await fromEnd.tailer.readNow();
    expect(fromStart.text()).toBe('old 1\nold 2\nnew 1\n');
    expect(fromEnd.text()).toBe('new 1\n');
    expect(fromEnd.tailer.checkpoint()).toMatchObject({ path: log, offset: 18, fingerprintBytes: 18, ino: statSync(log).ino });
    expect([...fromStart.gaps, ...fromEnd.gaps, ...fromStart.errors, ...fromEnd.errors]).toEqual([]);
  });

  it('catches up from a checkpoint after lines were appended while the monitor was down', async () => {
    writeFileSync(log, 'a1\na2\n');
    const first = follow();
    await first.tailer.readNow();
    await first.tailer.stop();
    const saved = first.checkpoints.at(-1) as FileCheckpoint;
    appendFileSync(log, 'a3\na4\n');
    const second = follow({ checkpoint: saved, startAt: 'end' });
    await second.tailer.start();
    expect(first.text() + second.text()).toBe('a1\na2\na3\na4\n');
    expect(second.gaps).toEqual([]);
    expect(second.tailer.checkpoint()).toMatchObject({ offset: 12, fingerprintBytes: 12 });
  });

  it('grows the fingerprint past the checkpoint it resumed from, up to 1024 bytes', async () => {
    writeFileSync(log, 'x'.repeat(10));
    const first = follow();
    await first.tailer.readNow();
    await first.tailer.stop();
    appendFileSync(log, 'y'.repeat(2000));
    const second = follow({ checkpoint: first.tailer.checkpoint() });
    await second.tailer.readNow();
    expect(second.text()).toBe('y'.repeat(2000));
    expect(second.tailer.checkpoint()).toMatchObject({ offset: 2010, fingerprintBytes: 1024 });
  });

  it('reads a file that did not exist at start from its beginning, reporting the wait once', async () => {
    const t = follow({ startAt: 'end' });
    await t.tailer.readNow();
    await t.tailer.readNow();
    expect(t.tailer.checkpoint()).toBeUndefined();
    writeFileSync(log, 'first line\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('first line\n');
    expect(t.errors.map((e) => e.code)).toEqual(['ENOENT']);
    expect(t.errors[0].message).toContain('does not exist');
  });
});

describe('LogTailer: truncation in place', () => {
  it('pm2 flush: truncated, then new lines; none lost, none repeated', async () => {
    writeFileSync(log, 'before flush 1\nbefore flush 2\n');
    const t = follow();
    await t.tailer.readNow();
    truncateSync(log, 0);
    appendFileSync(log, 'after 1\n');
    await t.tailer.readNow();
    appendFileSync(log, 'after 2\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('before flush 1\nbefore flush 2\nafter 1\nafter 2\n');
    expect(t.gaps).toEqual([{ path: log, kind: 'truncated', detail: expect.stringContaining('truncated') }]);
    expect(t.tailer.checkpoint()).toMatchObject({ offset: 16, ino: statSync(log).ino });
  });

  it('truncated and grown past the old offset before a read: the fingerprint catches it', async () => {
    writeFileSync(log, 'short\n');
    const t = follow();
    await t.tailer.readNow();
    truncateSync(log, 0);
    appendFileSync(log, 'a much longer first line after the truncation\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('short\na much longer first line after the truncation\n');
    expect(t.gaps.map((g) => g.kind)).toEqual(['truncated']);
  });

  it('a rewrite that kept the same first 1024 bytes is caught by the bytes before the offset', async () => {
    const banner = 'B'.repeat(1500);
    writeFileSync(log, `${banner}old tail\n`);
    const t = follow();
    await t.tailer.readNow();
    truncateSync(log, 0);
    appendFileSync(log, `${banner}new content, longer than before\n`);
    await t.tailer.readNow();
    expect(t.text()).toBe(`${banner}old tail\n${banner}new content, longer than before\n`);
    expect(t.gaps.map((g) => g.kind)).toEqual(['truncated']);
  });

  it('reports a truncation that happened while the monitor was down and restarts at 0', async () => {
    writeFileSync(log, 'kept 1\nkept 2\n');
    const first = follow();
    await first.tailer.readNow();
    await first.tailer.stop();
    truncateSync(log, 0);
    appendFileSync(log, 'new 1\nnew 2\nnew 3\n');
    const second = follow({ checkpoint: first.tailer.checkpoint() });
    await second.tailer.readNow();
    expect(second.text()).toBe('new 1\nnew 2\nnew 3\n');
    expect(second.gaps.map((g) => g.kind)).toEqual(['truncated']);
  });
});

describe('LogTailer: rotation', () => {
  const rotated = () => join(dir, 'api-out__2026-12-04_00-00-00.log');

  it('pm2-logrotate copy-truncate: bytes appended after the last read are recovered from the copy', async () => {
    writeFileSync(join(dir, 'api-out__2026-12-03_00-00-00.log'), 'l1\nan older day\n');
    utimesSync(join(dir, 'api-out__2026-12-03_00-00-00.log'), new Date('2026-12-03'), new Date('2026-12-03'));
    const write = pm2Writer(log);
    write('l1\n');
    const t = follow();
    await t.tailer.readNow();
    write('l2 unread before the copy\n');
    copyFileSync(log, rotated());
    truncateSync(log, 0);
    write('l3 after rotation\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('l1\nl2 unread before the copy\nl3 after rotation\n');
    expect(t.gaps).toEqual([{ path: log, kind: 'rotated', detail: expect.stringContaining('api-out__2026-12-04_00-00-00.log') }]);
  });

  it('copy-truncate while the monitor was down: resumes inside the copy', async () => {
    writeFileSync(log, 'l1\n');
    const first = follow();
    await first.tailer.readNow();
    await first.tailer.stop();
    appendFileSync(log, 'l2\n');
    copyFileSync(log, rotated());
    truncateSync(log, 0);
    appendFileSync(log, 'l3\n');
    const second = follow({ checkpoint: first.tailer.checkpoint() });
    await second.tailer.readNow();
    expect(first.text() + second.text()).toBe('l1\nl2\nl3\n');
    expect(second.gaps.map((g) => g.kind)).toEqual(['rotated']);
  });

  /** pm2-logrotate: copy to a dated sibling (dated in the past, so copies sort by mtime), then truncate. */
  function copyTruncate(day: number): void {
    const copy = join(dir, `api-out__2026-11-0${day}_00-00-00.log`);
    copyFileSync(log, copy);
    utimesSync(copy, new Date(`2026-11-0${day}T00:00:00Z`), new Date(`2026-11-0${day}T00:00:00Z`));
    truncateSync(log, 0);
  }

  it('several rotations between two reads: the rest of the first copy, then every later copy whole', async () => {
    const write = pm2Writer(log);
    write('g0 line 1\n');
    const t = follow();
    await t.tailer.readNow();
    write('g0 line 2\n');
    copyTruncate(1);
    write('g1 line 1\ng1 line 2\n');
    copyTruncate(2);
    write('g2 line 1\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('g0 line 1\ng0 line 2\ng1 line 1\ng1 line 2\ng2 line 1\n');
    expect(t.gaps.map((g) => [g.kind, g.detail.match(/api-out__\S+\.log/)?.[0]])).toEqual([
      ['rotated', 'api-out__2026-11-01_00-00-00.log'],
      ['rotated', 'api-out__2026-11-02_00-00-00.log'],
    ]);
  });

  it('a restart from any checkpoint delivered across rotations gives exactly the remaining bytes', async () => {
    const write = pm2Writer(log);
    write('g0 line 1\n');
    const t = follow({ maxReadBytes: 7 });
    await t.tailer.readNow();
    write('g0 line 2\n');
    copyTruncate(1);
    write('g1 line 1\ng1 line 2\n');
    copyTruncate(2);
    write('g2 line 1\n');
    await t.tailer.readNow();
    const all = t.text();
    expect(all).toBe('g0 line 1\ng0 line 2\ng1 line 1\ng1 line 2\ng2 line 1\n');
    let delivered = 0;
    for (const [i, checkpoint] of t.checkpoints.entries()) {
      delivered += t.chunks[i].length;
      const resumed = follow({ checkpoint, maxReadBytes: 7 });
      await resumed.tailer.readNow();
      expect(resumed.text(), `resumed after chunk ${i}`).toBe(all.slice(delivered));
      expect(resumed.gaps.filter((g) => g.kind !== 'rotated')).toEqual([]);
      await resumed.tailer.stop();
    }
  });

  it('a copy of the live file not truncated yet is not read twice', async () => {
    const write = pm2Writer(log);
    write('g0 line 1\n');
    const t = follow();
    await t.tailer.readNow();
    write('g0 line 2\n');
    copyTruncate(1);
    write('g1 line 1\n');
    copyFileSync(log, join(dir, 'api-out__2026-11-02_00-00-00.log'));
    await t.tailer.readNow();
    truncateSync(log, 0);
    write('g2 line 1\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('g0 line 1\ng0 line 2\ng1 line 1\ng2 line 1\n');
    expect(t.gaps.map((g) => g.kind)).toEqual(['rotated', 'rotated']);
  });

  it('a file first seen empty, written and copy-truncated before the first read: read from the copy', async () => {
    const write = pm2Writer(log);
    const firstSeen = new Date(Date.now() - 60_000);
    utimesSync(log, firstSeen, firstSeen);
    const t = follow({ startAt: 'end' });
    await t.tailer.readNow();
    write('c1 written and rotated between two polls\n');
    const copy = join(dir, 'api-out__2026-12-04_00-00-00.log');
    copyFileSync(log, copy);
    truncateSync(log, 0);
    write('c2\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('c1 written and rotated between two polls\nc2\n');
    expect(t.gaps.map((g) => g.kind)).toEqual(['rotated']);
  });

  it('a restart right after a rotation resumes from the rotated file, so rotations while down are read', async () => {
    const write = pm2Writer(log);
    write('g0\n');
    const first = follow();
    await first.tailer.readNow();
    copyTruncate(1);
    await first.tailer.readNow();
    await first.tailer.stop();
    const saved = first.tailer.checkpoint() as FileCheckpoint;
    expect(saved.ino).toBe(statSync(join(dir, 'api-out__2026-11-01_00-00-00.log')).ino);
    write('g1 while down\n');
    copyTruncate(2);
    write('g2\n');
    const second = follow({ checkpoint: saved });
    await second.tailer.readNow();
    expect(first.text() + second.text()).toBe('g0\ng1 while down\ng2\n');
  });

  it('reloadLogs: drains the renamed file (written to after the rename) before the new one', async () => {
    const oldFd = pm2Writer(log);
    oldFd('a1\n');
    const t = follow();
    await t.tailer.readNow();
    renameSync(log, `${log}.1`);
    oldFd('a2 after the rename\n');
    await t.tailer.readNow();
    oldFd('a3 still the old fd\n');
    const newFd = pm2Writer(log);
    newFd('b1 new inode\n');
    await t.tailer.readNow();
    newFd('b2\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('a1\na2 after the rename\na3 still the old fd\nb1 new inode\nb2\n');
    expect([...t.gaps, ...t.errors]).toEqual([]);
    expect(t.tailer.checkpoint()).toMatchObject({ ino: statSync(log).ino, offset: 16 });
  });

  it('reloadLogs while the monitor was down: finds the renamed inode beside the log and drains it', async () => {
    const oldFd = pm2Writer(log);
    oldFd('a1\n');
    const first = follow();
    await first.tailer.readNow();
    await first.tailer.stop();
    renameSync(log, `${log}.1`);
    oldFd('a2\n');
    writeFileSync(log, 'b1\n');
    const second = follow({ checkpoint: first.tailer.checkpoint() });
    await second.tailer.readNow();
    expect(first.text() + second.text()).toBe('a1\na2\nb1\n');
    expect(second.gaps).toEqual([]);
  });

  it("reports 'replaced' when the checkpoint's file is gone, and reads the new one from its start", async () => {
    writeFileSync(log, 'a1\n');
    const first = follow();
    await first.tailer.readNow();
    await first.tailer.stop();
    // Replaced by rename so the new file cannot reuse the old inode number.
    writeFileSync(join(dir, 'next.tmp'), 'b1\n');
    renameSync(join(dir, 'next.tmp'), log);
    const second = follow({ checkpoint: first.tailer.checkpoint() });
    await second.tailer.readNow();
    expect(second.text()).toBe('b1\n');
    expect(second.gaps).toEqual([{ path: log, kind: 'replaced', detail: expect.stringContaining('offset 3') }]);
  });
});

describe('LogTailer: deletes, errors and big files', () => {
  it('delete and recreate: follows the deleted file while PM2 writes to it, then the new one', async () => {
    const oldFd = pm2Writer(log);
    oldFd('a1\n');
    const t = follow();
    await t.tailer.readNow();
    oldFd('a2\n');
    unlinkSync(log);
    oldFd('a3 into the deleted file\n');
    await t.tailer.readNow();
    writeFileSync(log, 'b1\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('a1\na2\na3 into the deleted file\nb1\n');
    expect([...t.gaps, ...t.errors]).toEqual([]);
  });

  it('a directory at the path is reported once (EISDIR) and a file that replaces it is read', async () => {
    mkdirSync(log);
    const t = follow({ startAt: 'end' });
    await t.tailer.readNow();
    await t.tailer.readNow();
    expect(t.errors.map((e) => e.code)).toEqual(['EISDIR']);
    expect(t.errors[0].message).toContain('is a directory');
    rmdirSync(log);
    writeFileSync(log, 'now a file\n');
    await t.tailer.readNow();
    expect(t.text()).toBe('now a file\n');
  });

  it.skipIf(process.getuid?.() === 0)('EACCES is reported once and retried until the file is readable', async () => {
    writeFileSync(log, 'secret\n');
    chmodSync(log, 0o000);
    const t = follow();
    await t.tailer.readNow();
    await t.tailer.readNow();
    expect(t.errors.map((e) => e.code)).toEqual(['EACCES']);
    chmodSync(log, 0o644);
    await t.tailer.readNow();
    expect(t.text()).toBe('secret\n');
  });

  it('reads a big file without newlines in bounded chunks', async () => {
    const content = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let i = 0; i < content.length; i++) content[i] = 97 + ((i * 7) % 26);
    writeFileSync(log, content);
    const t = follow({ maxReadBytes: 64 * 1024 });
    await t.tailer.readNow();
    expect(Math.max(...t.chunks.map((c) => c.length))).toBe(64 * 1024);
    expect(t.chunks.length).toBe(Math.ceil(content.length / (64 * 1024)));
    expect(Buffer.concat(t.chunks).equals(content)).toBe(true);
    expect(t.checkpoints.at(-1)).toMatchObject({ offset: content.length, fingerprintBytes: 1024 });
  });

  it('offers a chunk again when onData throws, and reports it', async () => {
    writeFileSync(log, 'one\n');
    let failures = 1;
    const received: string[] = [];
    const t = follow({
      onData: (chunk) => {
        if (failures-- > 0) throw new Error('disk full');
        received.push(chunk.toString());
      },
    });
    await t.tailer.readNow();
    await t.tailer.readNow();
    expect(received).toEqual(['one\n']);
    expect(t.errors.map((e) => e.code)).toEqual(['ECONSUMER']);
  });

  it('does not leave a renamed file before the consumer took all of it', async () => {
    const oldFd = pm2Writer(log);
    oldFd('a1\n');
    let refuse = false;
    const received: string[] = [];
    const t = follow({
      onData: (chunk) => {
        if (refuse) {
          refuse = false;
          throw new Error('busy');
        }
        received.push(chunk.toString());
      },
    });
    await t.tailer.readNow();
    renameSync(log, `${log}.1`);
    oldFd('a2\n');
    writeFileSync(log, 'b1\n');
    refuse = true;
    await t.tailer.readNow();
    await t.tailer.readNow();
    expect(received.join('')).toBe('a1\na2\nb1\n');
    expect(t.errors.map((e) => e.code)).toEqual(['ECONSUMER']);
  });

  it('rejects bad options with exact messages', () => {
    const onData = (): void => undefined;
    expect(() => new LogTailer({ path: '', onData })).toThrow('path must be a non-empty string');
    expect(() => new LogTailer({ path: log, onData, maxReadBytes: 0 })).toThrow('maxReadBytes must be an integer from 1 to 67108864, got 0');
    expect(() => new LogTailer({ path: log, onData, pollIntervalMs: 1 })).toThrow('pollIntervalMs must be an integer from 10 to 60000, got 1');
    const checkpoint: FileCheckpoint = { path: log, dev: 1, ino: 2, offset: 10, fingerprint: 'f'.repeat(40), fingerprintBytes: 11 };
    expect(() => new LogTailer({ path: log, onData, checkpoint })).toThrow('checkpoint.fingerprintBytes must be an integer from 0 to 10, got 11');
    expect(() => new LogTailer({ path: log, onData, checkpoint: { ...checkpoint, path: 'x' } })).toThrow(`checkpoint.path must equal path ("${log}"), got "x"`);
  });
});

describe('LogTailer: following live', () => {
  it('picks up appends, a flush and a recreated file by itself, and calls nothing after stop()', async () => {
    const write = pm2Writer(log);
    write('start\n');
    const t = follow({ pollIntervalMs: 50 });
    await t.tailer.start();
    write('appended\n');
    await waitFor(() => t.text() === 'start\nappended\n', 'the append');
    truncateSync(log, 0);
    write('after flush\n');
    await waitFor(() => t.text().endsWith('after flush\n'), 'the flush');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'recreated\n');
    await waitFor(() => t.text().endsWith('recreated\n'), 'the new file');
    expect(t.text()).toBe('start\nappended\nafter flush\nrecreated\n');
    expect(t.gaps.map((g) => g.kind)).toEqual(['truncated']);
    await t.tailer.stop();
    const delivered = t.chunks.length;
    appendFileSync(log, 'after stop\n');
    await t.tailer.readNow();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(t.chunks.length).toBe(delivered);
    expect(t.tailer.checkpoint()).toMatchObject({ ino: statSync(log).ino, offset: 10 });
  });

  it('reads a quiet file on its first wake-up and merges the wake-ups of a burst into one pass', async () => {
    const write = pm2Writer(log);
    const t = follow({ pollIntervalMs: 2000, minPassGapMs: 500 });
    await t.tailer.start();
    await new Promise((resolve) => setTimeout(resolve, 550));
    write('alone\n');
    await waitFor(() => t.text() === 'alone\n', 'the lone line');
    let burst = '';
    for (let i = 0; i < 10; i++) {
      burst += `burst ${i}\n`;
      write(`burst ${i}\n`);
      // Room for a pass between two writes: only the gap keeps them in one.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(() => t.text() === `alone\n${burst}`, 'the burst');
    expect(t.chunks.map((c) => c.toString())).toEqual(['alone\n', burst]);
  });
});

describe('LogTailer: random sequences of PM2 file events', () => {
  it.each([1, 2, 3, 4])('seed %i: every line once, in order, through writes, reads, flushes, rotations, reloads, deletes and restarts', async (seed) => {
    const next = random(seed);
    // Kernel timestamps are coarse: every change gets its own second, so rotations sort by time.
    let clock = Date.parse('2026-12-01T00:00:00Z') / 1000;
    let fd = openSync(log, 'a');
    futimesSync(fd, ++clock, clock);
    const written: string[] = [];
    let line = 0;
    let rotations = 0;
    let run = follow({ maxReadBytes: 1 + Math.floor(next() * 64) });
    await run.tailer.readNow();
    let text = '';
    const gaps: TailGap[] = [];
    const restart = async (): Promise<void> => {
      // A checkpoint at offset 0 cannot tell which rotations happened since it was taken (a limit of
      // the format): model a monitor that polled until it stopped and restarts at once.
      if (run.tailer.checkpoint()?.offset === 0) await run.tailer.readNow();
      await run.tailer.stop();
      text += run.text();
      gaps.push(...run.gaps);
      const checkpoint = run.tailer.checkpoint();
      run = follow({ checkpoint, maxReadBytes: 1 + Math.floor(next() * 64) });
      if (checkpoint?.offset === 0) await run.tailer.readNow();
    };
    const writeLines = (count: number): void => {
      const lines = Array.from({ length: count }, () => `seed ${seed} line ${line++} ${'x'.repeat(Math.floor(next() * 40))}\n`);
      writeSync(fd, lines.join(''));
      futimesSync(fd, ++clock, clock);
      written.push(...lines);
    };
    const reopen = (): void => {
      closeSync(fd);
      fd = openSync(log, 'a');
      futimesSync(fd, ++clock, clock);
    };
    const truncate = (): void => {
      truncateSync(log, 0);
      futimesSync(fd, ++clock, clock);
    };
    for (let step = 0; step < 250; step++) {
      const roll = next();
      if (roll < 0.45) {
        writeLines(1 + Math.floor(next() * 4));
      } else if (roll < 0.65) {
        await run.tailer.readNow();
      } else if (roll < 0.72) {
        await run.tailer.readNow();
        truncate();
        await run.tailer.readNow();
        writeLines(1);
        await run.tailer.readNow();
      } else if (roll < 0.8) {
        const copy = join(dir, `api-out__${String(++rotations).padStart(4, '0')}.log`);
        copyFileSync(log, copy);
        utimesSync(copy, ++clock, clock);
        truncate();
      } else if (roll < 0.86) {
        renameSync(log, `${log}.${++rotations}`);
        reopen();
      } else if (roll < 0.9) {
        // Only a file the tailer has open can be followed after its deletion.
        await run.tailer.readNow();
        unlinkSync(log);
        const tailLine = `seed ${seed} line ${line++} into the deleted file\n`;
        writeSync(fd, tailLine);
        written.push(tailLine);
        await run.tailer.readNow();
        reopen();
        writeLines(1);
        await run.tailer.readNow();
      } else {
        await restart();
      }
    }
    await run.tailer.readNow();
    text += run.text();
    gaps.push(...run.gaps);
    closeSync(fd);
    expect(text).toBe(written.join(''));
    expect(gaps.filter((g) => g.kind !== 'rotated' && g.kind !== 'truncated')).toEqual([]);
  });
});

describe('LogTailer: racing a live writer', () => {
  it.each([1, 2, 3])('seed %i: copy-truncates every few dozen lines while the tailer follows on its own', async (seed) => {
    const next = random(seed);
    const write = pm2Writer(log);
    const t = follow({ pollIntervalMs: 10, maxReadBytes: 333 });
    await t.tailer.start();
    let expected = '';
    for (let step = 0, line = 0; step < 1500; step++) {
      if (next() < 0.97) {
        const text = `seed ${seed} line ${line++} ${'y'.repeat(line % 50)}\n`;
        write(text);
        expected += text;
      } else {
        copyFileSync(log, join(dir, `api-out__${String(step).padStart(6, '0')}.log`));
        truncateSync(log, 0);
      }
      // The tailer's reads run in the thread pool: yielding lets them interleave with the writes.
      if (step % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => t.text().length >= expected.length, 'the tailer to catch up');
    expect(t.text()).toBe(expected);
    expect(t.gaps.filter((g) => g.kind !== 'rotated')).toEqual([]);
  });
});
