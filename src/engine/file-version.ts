// Tells whether a state file another process writes has changed since we last read it, so that a
// read-only reader polling every second re-reads and re-parses only what is new.
import { stat } from 'node:fs/promises';

export class FileVersion {
  private seenMtimeMs = -1;

  constructor(private readonly path: string) {}

  /** Remembers the file's current version as read. Call before reading it. */
  async markRead(): Promise<void> {
    this.seenMtimeMs = await this.mtime();
  }

  async changed(): Promise<boolean> {
    return (await this.mtime()) !== this.seenMtimeMs;
  }

  private async mtime(): Promise<number> {
    return (await stat(this.path).catch(() => undefined))?.mtimeMs ?? -1;
  }
}
