/**
 * `medlens.json`, the metadata saved next to a model: what it was built as, what task and
 * classes it predicts, how inputs must be preprocessed, and which data trained it. Parsing
 * never trusts the file: every field is checked, failures are CorruptFileErrors.
 */
import { CorruptFileError, UnsupportedError } from '../errors.js';
import type { BuildOptions, ModelArch } from './types.js';
import { archInfo } from './zoo.js';

/** Format name and version written into every metadata file. */
export const METADATA_FORMAT = 'medlens-model';
export const METADATA_VERSION = 1;

/** How raw inputs become model inputs. All fields optional; unknown extra fields are kept. */
export interface Preprocessing {
  /** Per-channel normalisation: input = (raw - mean) / std. */
  mean?: number[];
  std?: number[];
  /** Sampling rate in Hz (signals). */
  fs?: number;
  /** Samples before and after the fiducial point (e.g. an R peak) of an ECG window. */
  window?: { before: number; after: number };
  [key: string]: unknown;
}

/** Contents of `medlens.json`. */
export interface ModelMetadata {
  format: typeof METADATA_FORMAT;
  version: typeof METADATA_VERSION;
  arch: ModelArch;
  /** What the model does, e.g. `ecg-beats`, `cxr-classification`, `ct-segmentation`. */
  task: string;
  /** Class names, one per logit. */
  classNames: string[];
  /** Sample shape without batch axis, channels last. */
  inputShape: number[];
  preprocessing: Preprocessing;
  /** `sha256:<hex>` of the training arrays (see `hashDataset`), when known. */
  trainingDataHash?: string;
  /** ISO 8601 creation time. */
  createdAt: string;
  /** Options given to `buildModel` other than inputShape and numClasses. */
  buildOptions: Omit<BuildOptions, 'inputShape' | 'numClasses'>;
}

/** Fields the caller supplies; the rest are filled by `createMetadata`. */
export type MetadataInput = Omit<ModelMetadata, 'format' | 'version' | 'createdAt' | 'preprocessing' | 'buildOptions'> &
  Partial<Pick<ModelMetadata, 'createdAt' | 'preprocessing' | 'buildOptions'>>;

/** Completes metadata with format, version, creation time (now) and empty defaults. */
export function createMetadata(m: MetadataInput): ModelMetadata {
  return {
    format: METADATA_FORMAT,
    version: METADATA_VERSION,
    ...m,
    preprocessing: m.preprocessing ?? {},
    buildOptions: m.buildOptions ?? {},
    createdAt: m.createdAt ?? new Date().toISOString(),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Checks parsed metadata field by field; `file` names the file in errors. Returns it typed.
 * A newer format version is an UnsupportedError; anything malformed a CorruptFileError.
 */
export function checkMetadata(value: unknown, file: string): ModelMetadata {
  const bad = (problem: string) => new CorruptFileError(file, problem);
  if (!isObject(value)) throw bad('expected a JSON object');
  if (value.format !== METADATA_FORMAT) throw bad(`format is ${JSON.stringify(value.format)}, expected "${METADATA_FORMAT}"`);
  if (!Number.isInteger(value.version) || (value.version as number) < 1) throw bad(`version ${JSON.stringify(value.version)} is not a positive integer`);
  if ((value.version as number) > METADATA_VERSION) {
    throw new UnsupportedError(file, `format version ${String(value.version)} is newer than this medlens reads (${METADATA_VERSION})`);
  }
  if (typeof value.arch !== 'string') throw bad('arch must be a string');
  try {
    archInfo(value.arch);
  } catch {
    throw bad(`unknown arch '${value.arch}'`);
  }
  if (typeof value.task !== 'string' || value.task === '') throw bad('task must be a non-empty string');
  const names = value.classNames;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
    throw bad('classNames must be a non-empty list of strings');
  }
  if (new Set(names).size !== names.length) throw bad('classNames has duplicates');
  const shape = value.inputShape;
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw bad(`inputShape must be a list of positive integers, got ${JSON.stringify(shape)}`);
  }
  const pre = value.preprocessing;
  if (!isObject(pre)) throw bad('preprocessing must be an object');
  for (const key of ['mean', 'std'] as const) {
    if (pre[key] !== undefined && !isFiniteArray(pre[key])) throw bad(`preprocessing.${key} must be a list of finite numbers`);
  }
  if (pre.std !== undefined && (pre.std as number[]).some((s) => s <= 0)) throw bad('preprocessing.std must be positive');
  if (pre.mean !== undefined && pre.std !== undefined && (pre.mean as number[]).length !== (pre.std as number[]).length) {
    throw bad('preprocessing.mean and preprocessing.std differ in length');
  }
  if (pre.fs !== undefined && !(typeof pre.fs === 'number' && pre.fs > 0 && Number.isFinite(pre.fs))) throw bad('preprocessing.fs must be a positive number');
  if (pre.window !== undefined) {
    const w = pre.window;
    if (!isObject(w) || !Number.isInteger(w.before) || !Number.isInteger(w.after) || (w.before as number) < 0 || (w.after as number) < 0) {
      throw bad('preprocessing.window must be { before, after } with non-negative integers');
    }
  }
  if (value.trainingDataHash !== undefined && !(typeof value.trainingDataHash === 'string' && /^sha256:[0-9a-f]{64}$/.test(value.trainingDataHash))) {
    throw bad('trainingDataHash must be "sha256:" followed by 64 hex digits');
  }
  if (typeof value.createdAt !== 'string' || Number.isNaN(Date.parse(value.createdAt))) throw bad('createdAt must be an ISO date string');
  if (!isObject(value.buildOptions)) throw bad('buildOptions must be an object');
  return value as unknown as ModelMetadata;
}
