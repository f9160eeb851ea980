/**
 * Checkpoint store on disk for `fit`: one file per run, written atomically (temp + fsync + rename),
 * so an interruption leaves either the previous checkpoint or the new one, never a partial file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointStore, type TrainCheckpoint } from '../train/checkpoint.js';
import { readBytes, writeFileAtomic } from './fs.js';

/** Stores the latest checkpoint as `<dir>/checkpoint.mlckpt`. */
export class FileCheckpointStore implements CheckpointStore {
  readonly file: string;

  constructor(readonly dir: string) {
    this.file = path.join(dir, 'checkpoint.mlckpt');
  }

  /** Writes the checkpoint atomically (model weights, optimizer slots, epoch, seed, early-stopping state, history). */
  async save(checkpoint: TrainCheckpoint): Promise<void> {
    writeFileAtomic(this.file, encodeCheckpoint(checkpoint));
  }

  /** The last checkpoint, or undefined when none was written yet; a damaged file is a CorruptFileError. */
  async load(): Promise<TrainCheckpoint | undefined> {
    if (!fs.existsSync(this.file)) return undefined;
    return decodeCheckpoint(readBytes(this.file), this.file);
  }

  /** Deletes the checkpoint (after a run finished and its model was saved). */
  clear(): void {
    fs.rmSync(this.file, { force: true });
  }
}
