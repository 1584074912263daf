// The generation read before the current one, while nothing of the current one was delivered
// (offset 0): later rotations are found by their time after it, and a restart resumes from its end
// rather than from an offset 0 that would not notice a copy-truncate.
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileCheckpoint } from './file-checkpoint.js';
import type { Identity } from './followed-file.js';
import { findNextGeneration, type OpenedFile, type ReadGeneration } from './rotated-files.js';

export class GenerationAnchor {
  readonly #path: string;
  #generation?: ReadGeneration;
  /** The anchor's end as a checkpoint, unless the anchor was deleted: a restart could not find it. */
  #checkpoint?: FileCheckpoint;
  /** The folder's mtime when later generations were last looked for. */
  #folderStamp?: number;

  constructor(path: string) {
    this.#path = path;
  }

  isSet(): boolean {
    return this.#generation !== undefined;
  }

  /** `findable`: a restart could find the generation again (it was not deleted). */
  set(generation: ReadGeneration, findable: boolean): void {
    this.#generation = generation;
    const { offset, fingerprint, fingerprintBytes } = generation.content;
    const checkpoint = { path: this.#path, dev: generation.dev, ino: generation.ino, offset, fingerprint, fingerprintBytes };
    this.#checkpoint = findable ? checkpoint : undefined;
    this.#folderStamp = undefined;
  }

  /** Bytes of the current generation were delivered: from now on its own position says where a restart resumes. */
  clear(): void {
    this.#generation = this.#checkpoint = undefined;
  }

  checkpoint(): FileCheckpoint | undefined {
    return this.#checkpoint;
  }

  /**
   * At offset 0 a copy-truncate leaves no trace in the live file: look for generations rotated after
   * the anchor, but only when the folder changed. `exclude`: the followed file and the one at the path,
   * never a later generation.
   */
  async later(exclude: ReadonlyArray<Identity | undefined>): Promise<OpenedFile | undefined> {
    const generation = this.#generation;
    if (!generation) return undefined;
    const folder = await stat(dirname(this.#path)).catch(() => undefined);
    if (!folder) return undefined;
    if (this.#folderStamp === folder.mtimeMs) return undefined;
    // A change in the same timestamp tick as this look would not move the mtime: look until it settles.
    if (Date.now() - folder.mtimeMs > 2000) this.#folderStamp = folder.mtimeMs;
    return findNextGeneration(this.#path, generation, exclude);
  }
}
