// The template miner's state on disk, so that pattern ids survive restarts and a read-only reader
// names patterns the way the writer does.
import { join } from 'node:path';
import { TemplateMiner } from '../analysis/miner/template-miner.js';
import { readStateFile, writeStateFile } from '../buffer/state-file.js';
import { FileVersion } from './file-version.js';

export class MinerStore {
  private readonly path: string;
  private readonly version: FileVersion;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'miner.json');
    this.version = new FileVersion(this.path);
  }

  /** The saved miner, or a fresh one when there is none; an unreadable state is reported, not fatal. */
  async load(onUnreadable: (message: string) => void): Promise<TemplateMiner> {
    await this.version.markRead();
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
  changed(): Promise<boolean> {
    return this.version.changed();
  }

  save(miner: TemplateMiner): Promise<void> {
    return writeStateFile(this.path, miner.toJSON());
  }
}
