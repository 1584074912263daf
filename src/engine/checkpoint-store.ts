// File offsets of the PM2 logs, saved only once the entries they cover are durable in the buffer:
// after a crash the tailer re-reads a little and the buffer never misses a line.
import { readStateFile, writeStateFile } from '../buffer/state-file.js';
import type { FileCheckpoint } from '../pm2/log-tailer.js';

type Checkpoints = Record<string, FileCheckpoint>;

function isCheckpoints(value: unknown): value is Checkpoints {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (c) => typeof c === 'object' && c !== null && typeof (c as FileCheckpoint).offset === 'number' && typeof (c as FileCheckpoint).ino === 'number',
  );
}

export class CheckpointStore {
  private committed: Checkpoints = {};
  /** Checkpoints waiting for the buffer to make `seq` durable, oldest first. */
  private staged: Array<{ seq: number; checkpoints: Checkpoints }> = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  async load(): Promise<Checkpoints> {
    this.committed = (await readStateFile(this.path, isCheckpoints)) ?? {};
    return { ...this.committed };
  }

  /** Records the checkpoints valid once every entry up to `seq` is stored. */
  stage(seq: number, checkpoints: Checkpoints): void {
    if (Object.keys(checkpoints).length === 0) return;
    this.staged.push({ seq, checkpoints });
  }

  /** Saves everything staged at or below `durableSeq`; writes are serialised, never interleaved. */
  commit(durableSeq: number): Promise<void> {
    let changed = false;
    while (this.staged.length > 0 && this.staged[0].seq <= durableSeq) {
      Object.assign(this.committed, this.staged.shift()!.checkpoints);
      changed = true;
    }
    if (changed) {
      const snapshot = { ...this.committed };
      this.writing = this.writing.then(() => writeStateFile(this.path, snapshot)).catch((error: Error) => this.onError(error));
    }
    return this.writing;
  }
}
