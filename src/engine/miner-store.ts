// The template miner's state on disk, so that pattern ids survive restarts and a read-only reader
// names patterns the way the writer does.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TemplateMiner } from '../analysis/miner/template-miner.js';
import { readStateFile, writeStateFile } from '../buffer/state-file.js';

export class MinerStore {
  private readonly path: string;
  private loadedMtimeMs = -1;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'miner.json');
  }

  /** The saved miner, or a fresh one when there is none; an unreadable state is reported, not fatal. */
  async load(onUnreadable: (message: string) => void): Promise<TemplateMiner> {
    this.loadedMtimeMs = await this.mtime();
    const state = await readStateFile<unknown>(this.path);
    if (state === undefined) return new TemplateMiner();
    try {
      return TemplateMiner.fromJSON(state);
    } catch (error) {
      onUnreadable(`pattern state unreadable, starting afresh: ${(error as Error).message}`);
      return new TemplateMiner();
    }
  }

  /** Whether the writer saved a newer state since the last load. */
  async changed(): Promise<boolean> {
    return (await this.mtime()) !== this.loadedMtimeMs;
  }

  save(miner: TemplateMiner): Promise<void> {
    return writeStateFile(this.path, miner.toJSON());
  }

  private async mtime(): Promise<number> {
    return (await stat(this.path).catch(() => undefined))?.mtimeMs ?? -1;
  }
}
