/**
 * Training checkpoints (browser-safe): everything needed to resume a run exactly (model weights,
 * optimizer slots, completed epochs, seed, early-stopping state, history), encoded as ONE byte
 * blob so a store can write it atomically. Stores are injected: in memory here, files in
 * `node/checkpoints.ts`, IndexedDB or similar in a browser.
 */
import { CorruptFileError } from '../errors.js';

/** A named float array (a weight or an optimizer slot). */
export interface NamedArray {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/** One epoch of training history. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  valBalancedAccuracy?: number;
  valMacroF1?: number;
  seconds: number;
}

/** The full resumable state of a training run after `epochsDone` epochs. */
export interface TrainCheckpoint {
  epochsDone: number;
  seed: number;
  optimizer: string;
  history: EpochRecord[];
  weights: NamedArray[];
  optimizerWeights: NamedArray[];
  /** Early stopping: best monitored value so far, its epoch, epochs since, and the best weights. */
  best?: { epoch: number; value: number; wait: number; weights?: NamedArray[] };
}

/** Where checkpoints go. `load` resolves to undefined when there is none yet. */
export interface CheckpointStore {
  save(checkpoint: TrainCheckpoint): Promise<void>;
  load(): Promise<TrainCheckpoint | undefined>;
}

const MAGIC = 'MLCKPT1\n';

type Header = Omit<TrainCheckpoint, 'weights' | 'optimizerWeights' | 'best'> & {
  arrays: { group: 'w' | 'o' | 'b'; name: string; shape: number[]; dtype: 'float32' | 'int32'; length: number }[];
  best?: { epoch: number; value: number; wait: number };
};

/** Encodes a checkpoint as magic, header length (u32 LE), JSON header, then the raw arrays (4-byte aligned). */
export function encodeCheckpoint(c: TrainCheckpoint): Uint8Array {
  const groups: ['w' | 'o' | 'b', NamedArray[]][] = [['w', c.weights], ['o', c.optimizerWeights], ['b', c.best?.weights ?? []]];
  const arrays = groups.flatMap(([group, list]) => list.map((a) => ({ group, name: a.name, shape: a.shape, dtype: a.dtype, length: a.data.length })));
  const header: Header = {
    epochsDone: c.epochsDone,
    seed: c.seed,
    optimizer: c.optimizer,
    // JSON turns NaN metrics into null; decoding restores them as NaN
    history: c.history,
    arrays,
  };
  if (c.best) header.best = { epoch: c.best.epoch, value: c.best.value, wait: c.best.wait };
  const text = JSON.stringify(header);
  const textBytes = new TextEncoder().encode(text).length;
  // pad the header with spaces so the arrays start 4-byte aligned
  const json = new TextEncoder().encode(text + ' '.repeat((4 - ((MAGIC.length + 4 + textBytes) % 4)) % 4));
  const dataBytes = arrays.reduce((s, a) => s + a.length * 4, 0);
  const out = new Uint8Array(MAGIC.length + 4 + json.length + dataBytes);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  let off = MAGIC.length + 4 + json.length;
  for (const [, list] of groups) {
    for (const a of list) {
      out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), off);
      off += a.data.byteLength;
    }
  }
  return out;
}

/** Decodes `encodeCheckpoint` output; truncated or malformed bytes are a CorruptFileError naming `file`. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): TrainCheckpoint {
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new CorruptFileError(file, 'not a medlens checkpoint (bad magic)', 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  if (start + len > bytes.length) throw new CorruptFileError(file, `header of ${len} bytes runs past the end`, MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + len))) as Header;
  } catch {
    throw new CorruptFileError(file, 'header is not valid JSON', start);
  }
  if (!Array.isArray(header.arrays) || !Array.isArray(header.history) || typeof header.epochsDone !== 'number') {
    throw new CorruptFileError(file, 'header lacks arrays/history/epochsDone', start);
  }
  let off = start + len;
  const groups: Record<'w' | 'o' | 'b', NamedArray[]> = { w: [], o: [], b: [] };
  for (const a of header.arrays) {
    const nbytes = a.length * 4;
    if (off + nbytes > bytes.length) throw new CorruptFileError(file, `array '${a.name}' is truncated`, off);
    const copy = bytes.slice(off, off + nbytes).buffer;
    const data = a.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    if (a.shape.reduce((p, d) => p * d, 1) !== a.length) throw new CorruptFileError(file, `array '${a.name}' shape does not match its length`, off);
    groups[a.group].push({ name: a.name, shape: a.shape, dtype: a.dtype, data });
    off += nbytes;
  }
  if (off !== bytes.length) throw new CorruptFileError(file, `${bytes.length - off} unexpected trailing bytes`, off);
  const history = header.history.map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v === null ? NaN : v])) as unknown as EpochRecord);
  const c: TrainCheckpoint = {
    epochsDone: header.epochsDone,
    seed: header.seed,
    optimizer: header.optimizer,
    history,
    weights: groups.w,
    optimizerWeights: groups.o,
  };
  if (header.best) c.best = { ...header.best, value: header.best.value ?? NaN, weights: groups.b.length ? groups.b : undefined };
  return c;
}

/** Keeps checkpoints in memory (as encoded bytes, so tests exercise the same format as files). */
export class MemoryCheckpointStore implements CheckpointStore {
  bytes: Uint8Array | undefined;
  saves = 0;

  /** Encodes and keeps the checkpoint, replacing the previous one. */
  async save(checkpoint: TrainCheckpoint): Promise<void> {
    this.bytes = encodeCheckpoint(checkpoint);
    this.saves++;
  }

  /** The last saved checkpoint, decoded, or undefined. */
  async load(): Promise<TrainCheckpoint | undefined> {
    return this.bytes ? decodeCheckpoint(this.bytes, 'memory checkpoint') : undefined;
  }
}
