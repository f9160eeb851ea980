/**
 * Node adapter for model folders: `model.json`, `weights.bin` and `medlens.json` side by side.
 * Saving writes a complete staging folder beside the target and swaps it in with renames, so
 * a crash leaves either the old model or the new one, never a mix of the two.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { tfl } from '../backend/tf.js';
import { CorruptFileError, FileAccessError } from '../errors.js';
import { deserializeModel, MODEL_FILE_NAMES, serializeModel, type LoadedModel, type ModelFileNames } from '../models/io.js';
import type { ModelMetadata } from '../models/metadata.js';
import { readBytes, writeFileAtomic } from './fs.js';

function namesIn(dir: string): ModelFileNames {
  return {
    modelJson: path.join(dir, MODEL_FILE_NAMES.modelJson),
    weightsBin: path.join(dir, MODEL_FILE_NAMES.weightsBin),
    metadataJson: path.join(dir, MODEL_FILE_NAMES.metadataJson),
  };
}

/**
 * Saves `model` with `metadata` into folder `dir` (created, or replaced when it already holds
 * a medlens model). A non-empty folder that is not a model folder is refused (FileAccessError).
 */
export async function saveModelFolder(dir: string, model: tfl.LayersModel, metadata: ModelMetadata): Promise<void> {
  const files = await serializeModel(model, metadata);
  const target = path.resolve(dir);
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) throw new FileAccessError(dir, 'exists and is not a folder');
    const entries = fs.readdirSync(target);
    if (entries.length > 0 && !entries.includes(MODEL_FILE_NAMES.metadataJson)) {
      throw new FileAccessError(dir, `exists and is not a medlens model folder (no ${MODEL_FILE_NAMES.metadataJson}); refusing to replace it`);
    }
  }
  const stamp = `${process.pid}.${Date.now()}`;
  const staging = `${target}.tmp-${stamp}`;
  const old = `${target}.old-${stamp}`;
  try {
    const names = namesIn(staging);
    writeFileAtomic(names.weightsBin, files.weightsBin);
    writeFileAtomic(names.modelJson, files.modelJson);
    writeFileAtomic(names.metadataJson, files.metadataJson);
    const hadOld = fs.existsSync(target);
    if (hadOld) fs.renameSync(target, old);
    fs.renameSync(staging, target);
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    if (e instanceof FileAccessError) throw e;
    throw new FileAccessError(dir, `cannot write model folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/**
 * Loads a model folder written by `saveModelFolder` (or any tfjs layers model.json with a
 * single weights.bin plus medlens.json). A missing folder is a FileAccessError; a missing,
 * malformed or inconsistent file inside it a CorruptFileError naming that file.
 */
export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  if (!fs.existsSync(dir)) throw new FileAccessError(dir, 'no such model folder');
  if (!fs.statSync(dir).isDirectory()) throw new FileAccessError(dir, 'is not a folder (expected a model folder with model.json, weights.bin, medlens.json)');
  const names = namesIn(dir);
  const read = (file: string) => {
    if (!fs.existsSync(file)) throw new CorruptFileError(file, 'is missing from the model folder (it needs model.json, weights.bin and medlens.json)');
    return readBytes(file);
  };
  return deserializeModel({ modelJson: read(names.modelJson), weightsBin: read(names.weightsBin), metadataJson: read(names.metadataJson) }, names);
}
