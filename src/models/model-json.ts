/**
 * Untrusting checks of a tfjs `model.json` and its weights: JSON structure, manifest entries
 * (names, shapes, dtypes), the byte length of `weights.bin`, and the manifest against the
 * weights the topology actually creates. Every failure is a CorruptFileError naming the file.
 */
import { tfl } from '../backend/tf.js';
import { CorruptFileError } from '../errors.js';

/** One weight of the manifest with its byte offset in `weights.bin`. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  offset: number;
  size: number;
}

/** The parts of a checked model.json. */
export interface ParsedModelJson {
  topology: Record<string, unknown>;
  weights: WeightEntry[];
  /** Bytes the manifest needs in `weights.bin`. */
  byteLength: number;
}

/** The only weights file name a model.json may reference (no paths: nothing outside the folder is read). */
export const WEIGHTS_FILE = 'weights.bin';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses JSON bytes; malformed text is a CorruptFileError naming `file`. */
export function parseJsonBytes(bytes: Uint8Array, file: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CorruptFileError(file, 'is not valid UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CorruptFileError(file, `is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Checks the structure of a parsed model.json and its weights manifest. */
export function checkModelJson(value: unknown, file: string): ParsedModelJson {
  const bad = (problem: string) => new CorruptFileError(file, problem);
  if (!isObject(value)) throw bad('expected a JSON object');
  if (value.format !== undefined && value.format !== 'layers-model') throw bad(`format is ${JSON.stringify(value.format)}, expected "layers-model"`);
  const topology = value.modelTopology;
  if (!isObject(topology)) throw bad('modelTopology is missing or not an object');
  const config = topology.config;
  if (!isObject(config) || !Array.isArray(config.layers) || config.layers.length === 0) throw bad('modelTopology.config.layers is missing or empty');
  if (!Array.isArray(value.weightsManifest)) throw bad('weightsManifest is missing or not a list');
  const weights: WeightEntry[] = [];
  const seen = new Set<string>();
  let offset = 0;
  value.weightsManifest.forEach((group: unknown, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw bad(`weightsManifest[${g}] must have "paths" and "weights" lists`);
    }
    if (group.paths.length !== 1 || group.paths[0] !== WEIGHTS_FILE) {
      throw bad(`weightsManifest[${g}].paths must be ["${WEIGHTS_FILE}"], got ${JSON.stringify(group.paths)}`);
    }
    group.weights.forEach((w: unknown, i) => {
      const where = `weightsManifest[${g}].weights[${i}]`;
      if (!isObject(w) || typeof w.name !== 'string') throw bad(`${where} has no name`);
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`${where} (${w.name}) has a malformed shape`);
      if (w.dtype !== 'float32') throw bad(`${where} (${w.name}) has dtype ${JSON.stringify(w.dtype)}; only float32 is supported`);
      if (w.quantization !== undefined) throw bad(`${where} (${w.name}) is quantized; not supported`);
      if (seen.has(w.name)) throw bad(`weight ${w.name} is listed twice`);
      seen.add(w.name);
      const size = (w.shape as number[]).reduce((a, b) => a * b, 1);
      weights.push({ name: w.name, shape: w.shape as number[], dtype: 'float32', offset, size });
      offset += 4 * size;
    });
  });
  return { topology, weights, byteLength: offset };
}

/** Builds the model from a checked topology; an unknown layer or bad config is a CorruptFileError. */
export async function buildFromTopology(topology: Record<string, unknown>, file: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.models.modelFromJSON({ modelTopology: topology } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
  } catch (e) {
    throw new CorruptFileError(file, `modelTopology cannot be built (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}

/**
 * Matches the manifest to the model's weights by name and shape; returns the manifest entries
 * in the model's weight order. Missing, extra or reshaped weights are CorruptFileErrors.
 */
export function matchWeights(model: tfl.LayersModel, entries: WeightEntry[], file: string): WeightEntry[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const ordered = model.weights.map((w) => {
    const e = byName.get(w.originalName);
    if (!e) throw new CorruptFileError(file, `weight ${w.originalName} [${w.shape.join(', ')}] of the topology is missing from weightsManifest`);
    if (e.shape.length !== w.shape.length || e.shape.some((d, i) => d !== w.shape[i])) {
      throw new CorruptFileError(file, `weight ${e.name} has shape [${e.shape.join(', ')}] in weightsManifest, the topology needs [${w.shape.join(', ')}]`);
    }
    byName.delete(e.name);
    return e;
  });
  if (byName.size > 0) throw new CorruptFileError(file, `weightsManifest lists weights the topology does not have: ${[...byName.keys()].slice(0, 5).join(', ')}`);
  return ordered;
}

/**
 * Float32 values of each entry, copied out of `bytes` (little-endian, as tfjs writes them).
 * A length other than `byteLength`, or a NaN/Inf value, is a CorruptFileError naming `file`.
 */
export function readWeightValues(bytes: Uint8Array, entries: WeightEntry[], byteLength: number, file: string): Float32Array[] {
  if (bytes.byteLength !== byteLength) {
    throw new CorruptFileError(file, `has ${bytes.byteLength} bytes, the weights manifest needs ${byteLength}${bytes.byteLength < byteLength ? ' (truncated?)' : ''}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return entries.map((e) => {
    const out = new Float32Array(e.size);
    for (let i = 0; i < e.size; i++) {
      const v = view.getFloat32(e.offset + 4 * i, true);
      if (!Number.isFinite(v)) throw new CorruptFileError(file, `weight ${e.name} holds ${v}`, e.offset + 4 * i);
      out[i] = v;
    }
    return out;
  });
}
