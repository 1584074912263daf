// A writer killed with SIGKILL in the middle of a large report leaves the previous report whole;
// the next writer cleans the temporary file it left.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanStaleTempFiles, writeFileAtomic } from '../../src/report/safe-write.js';

const WRITER = resolve(import.meta.dirname, '../fixtures/report/atomic-writer.ts');
const OLD = '# PM2 Log Analysis Report\n\nthe previous report, which must survive\n';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plm-crash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts the writer and kills it as soon as its temporary file holds some bytes. */
async function killMidWrite(path: string, megabytes: number): Promise<{ signal: NodeJS.Signals | null; tempSize: number; finished: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path, String(megabytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
  let tempSize = 0;
  while (child.exitCode === null && child.signalCode === null) {
    const temp = (await readdir(dir)).find((n) => n.endsWith('.plm-tmp'));
    const size = temp ? await stat(join(dir, temp)).then((s) => s.size, () => 0) : 0;
    if (size > 0) {
      child.kill('SIGKILL');
      tempSize = size;
      break;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const signal = await exited;
  return { signal, tempSize, finished: output.includes('done') };
}

describe('writeFileAtomic under SIGKILL', () => {
  it('keeps the previous report whole and leaves a temp that the next writer cleans', async () => {
    const path = join(dir, 'report.md');
    await writeFile(path, OLD);
    const megabytes = 64;
    const outcome = await killMidWrite(path, megabytes);
    expect(outcome.finished).toBe(false);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.tempSize).toBeGreaterThan(0);
    expect(outcome.tempSize).toBeLessThan(megabytes * 1024 * 1024);

    expect(await readFile(path, 'utf8')).toBe(OLD);
    const leftovers = (await readdir(dir)).filter((n) => n.endsWith('.plm-tmp'));
    expect(leftovers).toHaveLength(1);

    expect(await cleanStaleTempFiles(dir)).toBe(1);
    expect(await readdir(dir)).toEqual(['report.md']);
    await writeFileAtomic(path, '# new report\n');
    expect(await readFile(path, 'utf8')).toBe('# new report\n');
    expect(await readdir(dir)).toEqual(['report.md']);
  });
});
