/**
 * Node file adapters shared by every command: reading with typed errors, and atomic writes
 * (temp file in the same folder, then rename) so a crash never leaves a partial output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileAccessError } from '../errors.js';

/** Reads a whole file as bytes; a missing or unreadable file is a FileAccessError naming it. */
export function readBytes(file: string): Uint8Array {
  try {
    const buf = fs.readFileSync(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileAccessError(file, 'no such file');
    if (code === 'EISDIR') throw new FileAccessError(file, 'is a folder, expected a file');
    if (code === 'EACCES') throw new FileAccessError(file, 'permission denied');
    throw new FileAccessError(file, `cannot read (${code ?? String(e)})`);
  }
}

/** Reads a text file (UTF-8) with the same errors as `readBytes`. */
export function readText(file: string): string {
  return new TextDecoder().decode(readBytes(file));
}

/**
 * Writes `data` to `file` atomically: a temp file beside it, fsync, then rename over the target.
 * Creates the parent folder. Readers see either the old file or the complete new one.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  ensureDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileAccessError(file, `cannot write (${code ?? String(e)})`);
  }
}

/** Ensures `dir` exists as a folder (FileAccessError if a file is in the way). */
export function ensureDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new FileAccessError(dir, 'a file is in the way of this folder');
    throw new FileAccessError(dir, `cannot create folder (${code ?? String(e)})`);
  }
}
