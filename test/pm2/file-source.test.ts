import { appendFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEntry } from '../../src/core/types.js';
import { IngestPipeline } from '../../src/ingest/ingest-pipeline.js';
import { fingerprintOf } from '../../src/pm2/file-checkpoint.js';
import { FileSource } from '../../src/pm2/file-source.js';
import type { FileCheckpoint } from '../../src/pm2/log-tailer.js';
import { waitFor } from '../helpers/pm2-home.js';

describe('FileSource', () => {
  let dir: string;
  let path: string;
  const sources: FileSource[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plm-file-source-'));
    path = join(dir, 'app-out.log');
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  function open(checkpoint?: FileCheckpoint) {
    const messages: string[] = [];
    const pipeline = new IngestPipeline({ onEntries: (entries: NewEntry[]) => messages.push(...entries.map((e) => e.message)) });
    const source = new FileSource({
      path,
      checkpoint,
      startAt: 'start',
      context: { process: 'app', pmId: 0, stream: 'out' },
      pipeline,
      section: (fn) => fn(),
      onGap: () => {},
      onError: () => {},
      onCheckpoint: () => {},
      now: Date.now,
      pollIntervalMs: 20,
    });
    sources.push(source);
    return { source, messages };
  }

  it('keeps a checkpoint before an unfinished line, with a fingerprint of the bytes before it', async () => {
    writeFileSync(path, 'first\nsecond\npart');
    const one = open();
    await one.source.start();
    expect(one.messages).toEqual(['first']);
    one.source.tick(Date.now() + 200);
    await one.source.stop();
    sources.length = 0;
    const checkpoint = one.source.checkpoint()!;
    expect(checkpoint).toMatchObject({ path, offset: 13, fingerprintBytes: 13, fingerprint: fingerprintOf(Buffer.from('first\nsecond\n')) });
    expect(one.messages).toEqual(['first', 'second']);

    appendFileSync(path, 'ial\nthird\n');
    const two = open(checkpoint);
    await two.source.start();
    two.source.tick(Date.now() + 200);
    expect(two.messages).toEqual(['partial', 'third']);
  });

  it('emits a held record once the file goes quiet and moves its checkpoint to the end', async () => {
    writeFileSync(path, 'Error: boom\n    at f (/a.js:1:1)\n');
    const one = open();
    await one.source.start();
    await new Promise((r) => setTimeout(r, 150));
    one.source.tick(Date.now());
    expect(one.messages).toEqual(['Error: boom\n    at f (/a.js:1:1)']);
    expect(one.source.checkpoint()?.offset).toBe(33);
  });

  it('gives an unfinished line up only after it stayed unfinished', async () => {
    writeFileSync(path, 'prompt> ');
    const one = open();
    await one.source.start();
    one.source.tick(Date.now() + 1500);
    await waitFor(() => one.messages.length === 1, 3000, 'the prompt');
    expect(one.messages).toEqual(['prompt> ']);
    expect(one.source.checkpoint()?.offset).toBe(8);
  });
});
