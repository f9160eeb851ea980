import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { CorruptFileError, FileAccessError, InvalidInputError, UnsupportedError } from '../../src/errors.js';
import { buildModel, createMetadata, deserializeModel, serializeModel, type ModelArch, type ModelMetadata } from '../../src/models/index.js';
import { loadModelFolder, saveModelFolder } from '../../src/node/models.js';
import { tmpDir } from '../helpers.js';

await initNodeBackend();
const root = tmpDir('medlens-models-');

function meta(model: tfl.LayersModel, arch: ModelArch, classes: number, extra: Partial<ModelMetadata> = {}): ModelMetadata {
  return createMetadata({
    arch,
    task: 'test',
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
    inputShape: model.inputs[0].shape.slice(1) as number[],
    preprocessing: { mean: [0.5], std: [0.25], fs: 360, window: { before: 90, after: 110 } },
    trainingDataHash: `sha256:${'ab'.repeat(32)}`,
    ...extra,
  });
}

test('save -> load round trip gives identical predictions and metadata (incl. ViT custom layers, U-Net, LSTM)', async () => {
  const cases: [ModelArch, number[], object][] = [
    ['cnn64', [16, 16, 1], { width: 0.25 }],
    ['ecg-lstm', [24, 2], { width: 0.5 }],
    ['resnet18', [32, 32, 3], { width: 0.125 }],
    ['vit-tiny', [16, 16, 3], { width: 0.25, depth: 2, patchSize: 4 }],
    ['unet', [16, 16, 1], { width: 0.25, depth: 2 }],
  ];
  for (const [arch, inputShape, extra] of cases) {
    const model = buildModel(arch, { inputShape, numClasses: 3, seed: 11, ...extra });
    // Randomise BN statistics too, so they are known to be saved.
    model.setWeights(model.getWeights().map((w, i) => tf.add(w, tf.randomUniform(w.shape, 0.1, 0.5, 'float32', i))));
    const metadata = meta(model, arch, 3, { buildOptions: extra });
    const dir = path.join(root, arch);
    await saveModelFolder(dir, model, metadata);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['medlens.json', 'model.json', 'weights.bin']);
    const loaded = await loadModelFolder(dir);
    assert.deepEqual(loaded.metadata, metadata);
    const x = tf.randomNormal([2, ...inputShape], 0, 1, 'float32', 3);
    const want = (model.predict(x) as tf.Tensor).dataSync();
    const got = (loaded.model.predict(x) as tf.Tensor).dataSync();
    assert.deepEqual(got, want, arch);
    assert.equal(loaded.model.name, arch);
  }
  assert.deepEqual(fs.readdirSync(root).sort(), cases.map((c) => c[0]).sort(), 'no staging folders left behind');
});

test('saving over a model folder replaces it; a foreign folder is refused', async () => {
  const dir = path.join(root, 'replace');
  const a = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125, seed: 1 });
  const b = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125, seed: 2 });
  await saveModelFolder(dir, a, meta(a, 'cnn64', 2));
  await saveModelFolder(dir, b, meta(b, 'cnn64', 2));
  const loaded = await loadModelFolder(dir);
  assert.deepEqual(loaded.model.getWeights()[0].dataSync(), b.getWeights()[0].dataSync());
  const foreign = path.join(root, 'foreign');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
  await assert.rejects(saveModelFolder(foreign, a, meta(a, 'cnn64', 2)), (e: unknown) => e instanceof FileAccessError && /not a medlens model folder/.test(e.message));
  assert.deepEqual(fs.readdirSync(foreign), ['notes.txt']);
});

test('saving refuses metadata that does not match the model, and NaN weights', async () => {
  const m = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125 });
  await assert.rejects(serializeModel(m, meta(m, 'cnn64', 3)), (e: unknown) => e instanceof InvalidInputError && /3 class names for 2 logits/.test(e.message));
  await assert.rejects(serializeModel(m, { ...meta(m, 'cnn64', 2), inputShape: [8, 8, 1] }), /inputShape \[8, 8, 1\] differs/);
  const w = m.getWeights();
  w[0] = tf.fill(w[0].shape, NaN);
  m.setWeights(w);
  await assert.rejects(serializeModel(m, meta(m, 'cnn64', 2)), /weights hold NaN/);
});

/** Saves a small model and returns its files as mutable copies, plus a loader for tampered copies. */
async function files() {
  const m = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, width: 0.125 });
  const f = await serializeModel(m, meta(m, 'cnn64', 2));
  const json = JSON.parse(new TextDecoder().decode(f.modelJson));
  const md = JSON.parse(new TextDecoder().decode(f.metadataJson));
  return { f, json, md, enc: (v: unknown) => new TextEncoder().encode(JSON.stringify(v)) };
}

async function assertCorrupt(p: Promise<unknown>, file: string, re: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CorruptFileError, `expected CorruptFileError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.message, re);
    return true;
  });
}

test('tampered files are CorruptFileErrors naming the file and the problem', async () => {
  const { f, json, md, enc } = await files();
  const load = (over: Partial<typeof f>) => deserializeModel({ ...f, ...over });
  await assertCorrupt(load({ modelJson: new TextEncoder().encode('{"modelTopology": ') }), 'model.json', /not valid JSON/);
  await assertCorrupt(load({ metadataJson: new TextEncoder().encode('not json') }), 'medlens.json', /not valid JSON/);
  await assertCorrupt(load({ weightsBin: f.weightsBin.slice(0, f.weightsBin.length - 8) }), 'weights.bin', /has \d+ bytes, the weights manifest needs \d+ \(truncated\?\)/);
  await assertCorrupt(load({ weightsBin: new Uint8Array([...f.weightsBin, 0, 0, 0, 0]) }), 'weights.bin', /bytes, the weights manifest needs/);
  const nan = f.weightsBin.slice();
  new DataView(nan.buffer).setFloat32(40, NaN, true);
  await assertCorrupt(load({ weightsBin: nan }), 'weights.bin', /holds NaN \(at byte 40\)/);

  // Wrong shape: swap two dims of the first kernel (same byte count, so only the shape check can catch it).
  const reshaped = structuredClone(json);
  const spec = reshaped.weightsManifest[0].weights[0];
  spec.shape = [...spec.shape].reverse();
  await assertCorrupt(load({ modelJson: enc(reshaped) }), 'model.json', new RegExp(`weight ${spec.name} has shape \\[${spec.shape.join(', ')}\\] in weightsManifest, the topology needs`));

  const missing = structuredClone(json);
  const dropped = missing.weightsManifest[0].weights.pop();
  await assertCorrupt(load({ modelJson: enc(missing), weightsBin: f.weightsBin.slice(0, f.weightsBin.length - 4 * dropped.shape.reduce((a: number, b: number) => a * b, 1)) }), 'model.json', /missing from weightsManifest/);

  const dup = structuredClone(json);
  dup.weightsManifest[0].weights.push(dup.weightsManifest[0].weights[0]);
  await assertCorrupt(load({ modelJson: enc(dup) }), 'model.json', /listed twice/);

  const traversal = structuredClone(json);
  traversal.weightsManifest[0].paths = ['../../etc/passwd'];
  await assertCorrupt(load({ modelJson: enc(traversal) }), 'model.json', /paths must be \["weights.bin"\]/);

  const int8 = structuredClone(json);
  int8.weightsManifest[0].weights[0].dtype = 'int32';
  await assertCorrupt(load({ modelJson: enc(int8) }), 'model.json', /only float32/);

  const unknownLayer = structuredClone(json);
  unknownLayer.modelTopology.config.layers[1].class_name = 'EvilLayer';
  await assertCorrupt(load({ modelJson: enc(unknownLayer) }), 'model.json', /modelTopology cannot be built/);

  await assertCorrupt(load({ modelJson: enc({ weightsManifest: [] }) }), 'model.json', /modelTopology is missing/);
  await assertCorrupt(load({ metadataJson: enc({ ...md, classNames: ['a', 'b', 'c'] }) }), 'medlens.json', /3 class names for 2 logits/);
  await assertCorrupt(load({ metadataJson: enc({ ...md, inputShape: [32, 32, 1] }) }), 'medlens.json', /inputShape \[32, 32, 1\] differs/);
  await assertCorrupt(load({ metadataJson: enc({ ...md, classNames: ['a', 'a'] }) }), 'medlens.json', /duplicates/);
  await assertCorrupt(load({ metadataJson: enc({ ...md, arch: 'alexnet' }) }), 'medlens.json', /unknown arch 'alexnet'/);
  await assertCorrupt(load({ metadataJson: enc({ ...md, trainingDataHash: 'md5:00' }) }), 'medlens.json', /trainingDataHash/);
  await assertCorrupt(load({ metadataJson: enc({ ...md, preprocessing: { std: [0] } }) }), 'medlens.json', /std must be positive/);
  await assert.rejects(load({ metadataJson: enc({ ...md, version: 2 }) }), UnsupportedError);
});

test('model folders: a missing file is a CorruptFileError with its path, a missing folder a FileAccessError', async () => {
  const dir = path.join(root, 'partial');
  const m = buildModel('ecg-cnn', { inputShape: [32, 1], numClasses: 2, width: 0.25 });
  await saveModelFolder(dir, m, meta(m, 'ecg-cnn', 2));
  fs.rmSync(path.join(dir, 'weights.bin'));
  await assertCorrupt(loadModelFolder(dir), path.join(dir, 'weights.bin'), /is missing from the model folder/);
  await assert.rejects(loadModelFolder(path.join(root, 'nowhere')), FileAccessError);
});
