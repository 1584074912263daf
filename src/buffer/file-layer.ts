// The only door from the buffer to the disk. Injectable so that tests can make the disk full or
// failing at an exact byte without root rights or a tiny filesystem.
import { constants } from 'node:fs';
import { mkdir, open, readdir, unlink } from 'node:fs/promises';

export interface WritableFile {
  /** Appends every byte of `data`, or throws (possibly after writing a prefix). */
  append(data: Uint8Array): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileLayer {
  mkdir(dir: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  /** The bytes from `offset` to the end, empty when the file is no longer. Optional: see readTail. */
  readTail?(path: string, offset: number): Promise<Buffer>;
  /** `create`: the file must not exist yet (O_EXCL); `append`: it must exist. Writes always append. */
  open(path: string, mode: 'create' | 'append'): Promise<WritableFile>;
  unlink(path: string): Promise<void>;
  /** Makes created and removed names durable. */
  syncDir(dir: string): Promise<void>;
}

/** A file's bytes from `offset` on, through the layer's tail read or, without one, a whole read. */
export function readTail(files: FileLayer, path: string, offset: number): Promise<Buffer> {
  return files.readTail ? files.readTail(path, offset) : files.readFile(path).then((buf) => buf.subarray(offset));
}

async function readFrom(path: string, offset: number): Promise<Buffer> {
  // One read of the whole range: fs.readFile goes in 512 KiB steps, each a trip through the event loop.
  const handle = await open(path, constants.O_RDONLY);
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, size - offset);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buf : buf.subarray(0, done);
  } finally {
    await handle.close();
  }
}

export const nodeFileLayer: FileLayer = {
  async mkdir(dir) {
    await mkdir(dir, { recursive: true });
  },
  readdir: (dir) => readdir(dir),
  readFile: (path) => readFrom(path, 0),
  readTail: readFrom,
  async open(path, mode) {
    const flags =
      mode === 'create'
        ? constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL
        : constants.O_WRONLY | constants.O_APPEND;
    const handle = await open(path, flags, 0o644);
    return {
      async append(data) {
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await handle.write(data, done, data.length - done);
          done += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  unlink: (path) => unlink(path),
  async syncDir(dir) {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } catch (error) {
      // Some filesystems refuse fsync on a directory; the rename/unlink is still done.
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL' && (error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
    } finally {
      await handle.close();
    }
  },
};
