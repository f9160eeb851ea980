/**
 * Saving and loading models as bytes, browser-safe: a tfjs-format `model.json` (topology +
 * weights manifest), `weights.bin` and the `medlens.json` metadata. Node writes them into a
 * folder (src/node/models.ts); a browser can fetch or upload the same three files. Loading
 * checks everything (see model-json.ts and metadata.ts) before any weight is used.
 */
import { tf, tfl } from '../backend/tf.js';
import { CorruptFileError, InvalidInputError } from '../errors.js';
import { checkMetadata, type ModelMetadata } from './metadata.js';
import { buildFromTopology, checkModelJson, matchWeights, parseJsonBytes, readWeightValues, WEIGHTS_FILE } from './model-json.js';
import './vit-layers.js'; // registers the custom layers so ViT topologies deserialise
import './fused-batchnorm.js'; // loaded BatchNormalization layers get the fused training path
import './fused-rnn.js'; // LSTM and GRU topologies deserialise to the fused-kernel subclasses

/** The three files of a saved model, as bytes. */
export interface ModelFiles {
  modelJson: Uint8Array;
  weightsBin: Uint8Array;
  metadataJson: Uint8Array;
}

/** Names used in error messages when loading (paths in Node, URLs or file names in a browser). */
export interface ModelFileNames {
  modelJson: string;
  weightsBin: string;
  metadataJson: string;
}

/** Default file names inside a model folder. */
export const MODEL_FILE_NAMES: ModelFileNames = { modelJson: 'model.json', weightsBin: WEIGHTS_FILE, metadataJson: 'medlens.json' };

/** A loaded model with its metadata. */
export interface LoadedModel {
  model: tfl.LayersModel;
  metadata: ModelMetadata;
}

/**
 * Checks that `metadata` describes `model`: same input shape, one class name per logit, and
 * the first output produced by the layer named `logits`. Returns a problem or undefined.
 */
export function metadataMismatch(model: tfl.LayersModel, metadata: ModelMetadata): string | undefined {
  const inShape = model.inputs[0].shape.slice(1);
  if (inShape.length !== metadata.inputShape.length || inShape.some((d, i) => d !== metadata.inputShape[i])) {
    return `inputShape [${metadata.inputShape.join(', ')}] differs from the model's input [${inShape.join(', ')}]`;
  }
  const out = model.outputs[0];
  if (out.sourceLayer.name !== 'logits') return `the model's first output comes from layer '${out.sourceLayer.name}', expected 'logits'`;
  const units = out.shape[out.shape.length - 1];
  if (units !== metadata.classNames.length) return `${metadata.classNames.length} class names for ${String(units)} logits`;
  return undefined;
}

/**
 * Serialises `model` and `metadata` to the three files. Metadata that does not match the
 * model, or NaN/Inf weights (a diverged training), are InvalidInputErrors: nothing is written
 * that would not load again.
 */
export async function serializeModel(model: tfl.LayersModel, metadata: ModelMetadata): Promise<ModelFiles> {
  checkMetadata(JSON.parse(JSON.stringify(metadata)), 'metadata');
  const problem = metadataMismatch(model, metadata);
  if (problem) throw new InvalidInputError('metadata', problem);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightSpecs || artifacts.weightData === undefined) throw new Error('serializeModel: tfjs produced no weights');
  const weightsBin = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const floats = new Float32Array(weightsBin.buffer, weightsBin.byteOffset, weightsBin.byteLength / 4);
  const bad = floats.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InvalidInputError('model', `weights hold ${floats[bad]} (diverged training?); refusing to save`);
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
  };
  const enc = new TextEncoder();
  return {
    modelJson: enc.encode(JSON.stringify(modelJson)),
    weightsBin,
    metadataJson: enc.encode(JSON.stringify(metadata, null, 2) + '\n'),
  };
}

/**
 * Rebuilds a model from its three files, trusting nothing: JSON structure, weight names,
 * shapes and dtypes against the topology, the weights' byte length, finite values, and the
 * metadata against the model (input shape, class count). Every failure is a CorruptFileError
 * naming the file at fault (`names` gives the names used in messages).
 */
export async function deserializeModel(files: ModelFiles, names: ModelFileNames = MODEL_FILE_NAMES): Promise<LoadedModel> {
  const metadata = checkMetadata(parseJsonBytes(files.metadataJson, names.metadataJson), names.metadataJson);
  const parsed = checkModelJson(parseJsonBytes(files.modelJson, names.modelJson), names.modelJson);
  // Check the byte length before building: a truncated file fails fast, without building a big model.
  if (files.weightsBin.byteLength !== parsed.byteLength) readWeightValues(files.weightsBin, [], parsed.byteLength, names.weightsBin);
  const model = await buildFromTopology(parsed.topology, names.modelJson);
  try {
    const ordered = matchWeights(model, parsed.weights, names.modelJson);
    const values = readWeightValues(files.weightsBin, ordered, parsed.byteLength, names.weightsBin);
    const problem = metadataMismatch(model, metadata);
    if (problem) throw new CorruptFileError(names.metadataJson, problem);
    const tensors = values.map((v, i) => tf.tensor(v, ordered[i].shape, 'float32'));
    model.setWeights(tensors);
    tf.dispose(tensors);
    return { model, metadata };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
