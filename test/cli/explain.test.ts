import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tf, tfl } from '../../src/backend/tf.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { createMetadata } from '../../src/models/index.js';
import { saveModelFolder } from '../../src/node/models.js';
import { encodePngImage, decodePngImage } from '../../src/data/png.js';
import { encodeNpy, parseNpy } from '../../src/cli/npy.js';
import { methodListText, parseMethodOptions, parseTarget, runExplain } from '../../src/cli/commands/explain.js';
import { runCli } from '../../src/cli/main.js';
import { InvalidInputError } from '../../src/errors.js';
import { sharedData, tmpDir } from '../helpers.js';

await initNodeBackend();
const root = tmpDir('medlens-explain-cli-');
const quiet = () => undefined;

// image model: conv 'conv' -> global average pooling -> dense (2 classes)
const imageDir = path.join(root, 'image-model');
const imgModel = tfl.sequential({ layers: [
  tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }),
  tfl.layers.globalAveragePooling2d({ name: 'gap' }),
  tfl.layers.dense({ units: 2, name: 'logits', kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }),
] });
await saveModelFolder(imageDir, imgModel, createMetadata({ arch: 'cnn64', task: 'test', classNames: ['healthy', 'lesion'], inputShape: [8, 8, 1] }));
const pngFile = path.join(root, 'image.png');
fs.writeFileSync(pngFile, encodePngImage({ data: Float32Array.from({ length: 64 }, (_, i) => (i % 9) / 8), shape: [8, 8, 1] }));

// signal model: flatten -> dense with known weights; class 0 score = sum w_j x_j
const ecgDir = path.join(root, 'ecg-model');
const w = Float32Array.from({ length: 32 }, (_, j) => (j % 4) - 1.5);
const ecgModel = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [32, 1] }), tfl.layers.dense({ units: 2, name: 'logits' })] });
ecgModel.layers[1].setWeights([tf.tensor2d(Float32Array.from({ length: 64 }, (_, k) => (k % 2 === 0 ? w[k >> 1] : -w[k >> 1])), [32, 2]), tf.zeros([2])]);
await saveModelFolder(ecgDir, ecgModel, createMetadata({ arch: 'ecg-cnn', task: 'test', classNames: ['N', 'V'], inputShape: [32, 1] }));
const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 0.3) + 1);
const npyFile = path.join(root, 'beats.npy');
fs.writeFileSync(npyFile, encodeNpy(x, [2, 32, 1]));

test('explain a PNG with Grad-CAM on a named layer: JSON, NPY and overlay PNG agree', async () => {
  const out = path.join(root, 'out-img');
  const lines: string[] = [];
  await runExplain({ model: imageDir, input: pngFile, method: 'GradCAM', layer: 'conv', target: 'lesion', out }, (l) => lines.push(l));
  const json = JSON.parse(fs.readFileSync(path.join(out, 'attribution.json'), 'utf8'));
  assert.equal(json.method, 'GradCAM');
  assert.deepEqual(json.shape, [1, 8, 8, 1]);
  assert.deepEqual(json.targets, [1]);
  const npy = parseNpy(fs.readFileSync(path.join(out, 'attribution.npy')), 'attribution.npy');
  assert.deepEqual(npy.shape, [1, 8, 8, 1]);
  assert.deepEqual(Array.from(npy.data), json.values.map((v: number) => Math.fround(v)));
  assert.deepEqual(decodePngImage(fs.readFileSync(path.join(out, 'overlay-0.png')), 'overlay-0.png').shape, [8, 8, 3]);
  assert.match(lines.join(''), /GradCAM: explained 1 sample/);
});

test('explain an .npy batch of signals with Occlusion: values are the window drops of the linear model; ECG pictures written', async () => {
  const out = path.join(root, 'out-ecg');
  await runExplain({ model: ecgDir, input: npyFile, method: 'occlusion', target: '0', out, opt: ['window=[4]'] }, quiet);
  const json = JSON.parse(fs.readFileSync(path.join(out, 'attribution.json'), 'utf8'));
  assert.deepEqual(json.shape, [2, 32, 1]);
  for (let s = 0; s < 2; s++) {
    for (let start = 0; start < 32; start += 4) {
      let drop = 0;
      for (let j = start; j < start + 4; j++) drop += w[j] * x[s * 32 + j];
      for (let j = start; j < start + 4; j++) assert.ok(Math.abs(json.values[s * 32 + j] - drop) < 1e-4, `sample ${s} element ${j}`);
    }
  }
  assert.deepEqual(fs.readdirSync(out).sort(), ['attribution.json', 'attribution.npy', 'ecg-0.png', 'ecg-1.png']);
  const pic = decodePngImage(fs.readFileSync(path.join(out, 'ecg-1.png')), 'ecg-1.png');
  assert.deepEqual(pic.shape, [120, 600, 3]);
  // a .json input (nested array of one signal) with Saliency: |w| for class 0
  const jsonFile = path.join(root, 'beat.json');
  fs.writeFileSync(jsonFile, JSON.stringify(Array.from(x.subarray(0, 32), (v) => [v])));
  const outJ = path.join(root, 'out-json');
  await runExplain({ model: ecgDir, input: jsonFile, method: 'Saliency', target: 'N', out: outJ }, quiet);
  const sal = JSON.parse(fs.readFileSync(path.join(outJ, 'attribution.json'), 'utf8'));
  assert.deepEqual(sal.shape, [1, 32, 1]);
  sal.values.forEach((v: number, j: number) => assert.ok(Math.abs(v - Math.abs(w[j])) < 1e-6));
  // the learned deletion mask runs through the CLI too
  const out2 = path.join(root, 'out-mask');
  await runExplain({ model: ecgDir, input: npyFile, method: 'DeletionMask', out: out2, opt: ['steps=3', 'grid=[4]'], pictures: '0' }, quiet);
  assert.deepEqual(fs.readdirSync(out2).sort(), ['attribution.json', 'attribution.npy']);
});

test('explain: --list, bad method/target/layer/options give one-line errors', async () => {
  const list = methodListText();
  assert.match(list, /^GradCAM\s+cam$/m);
  assert.match(list, /^DeletionMask\s+perturbation$/m);
  let printed = '';
  await runExplain({ list: true }, (l) => (printed += l));
  assert.equal(printed, list);
  const base = { model: imageDir, input: pngFile, out: path.join(root, 'never') };
  await assert.rejects(runExplain({ ...base, method: 'NoSuchMethod' }, quiet), (e: unknown) => e instanceof InvalidInputError && /unknown method 'NoSuchMethod'/.test(e.message));
  await assert.rejects(runExplain({ ...base, method: 'GradCAM', target: '7' }, quiet), /--target: '7' is neither/);
  await assert.rejects(runExplain({ ...base, method: 'GradCAM', layer: 'nope' }, quiet), /--layer: model has no layer 'nope'/);
  await assert.rejects(runExplain({ ...base, method: 'Saliency', layer: 'conv' }, quiet), /--layer: applies to CAM methods only/);
  await assert.rejects(runExplain({ model: imageDir, input: pngFile, method: 'Saliency' }, quiet), /--out: is required/);
  await assert.rejects(runExplain({ ...base, method: 'GradCAM', input: npyFile }, quiet), /do not fit the model input/);
  assert.equal(fs.existsSync(base.out), false);
  assert.deepEqual(parseMethodOptions(['steps=5', 'window=[4,4]', 'baseline=blurred']), { steps: 5, window: [4, 4], baseline: 'blurred' });
  assert.throws(() => parseMethodOptions(['steps']), /key=value/);
  assert.throws(() => parseMethodOptions(['target=1']), /own flag/);
  assert.equal(parseTarget('V', ['N', 'V']), 1);
  assert.equal(parseTarget(undefined, ['N']), undefined);
  // through the program: a user mistake is one stderr line and exit code 2
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    assert.equal(await runCli(['node', 'medlens', 'explain', '--model', imageDir, '--input', pngFile, '--method', 'Nope', '--out', base.out]), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.equal(err.trim().split('\n').length, 1);
  assert.match(err, /^medlens: error: method: unknown method 'Nope'/);
});

const mitdb = sharedData('ecg/mitdb/101.hea');
test('explain beats of a WFDB record (MIT-BIH 101) with Saliency: |w| for every beat of a linear model', { skip: mitdb.skip }, async () => {
  const dir = path.join(root, 'beat-model');
  const wb = Float32Array.from({ length: 252 }, (_, j) => Math.cos(j * 0.1));
  const m = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [252, 1] }), tfl.layers.dense({ units: 2, name: 'logits' })] });
  m.layers[1].setWeights([tf.tensor2d(Float32Array.from({ length: 504 }, (_, k) => (k % 2 === 0 ? wb[k >> 1] : 0)), [252, 2]), tf.zeros([2])]);
  await saveModelFolder(dir, m, createMetadata({ arch: 'ecg-cnn', task: 'ecg-beats', classNames: ['N', 'V'], inputShape: [252, 1], preprocessing: { fs: 360, window: { before: 90, after: 162 }, beatNormalize: 'zscore' } }));
  const out = path.join(root, 'out-wfdb');
  await runExplain({ model: dir, input: mitdb.path.replace(/\.hea$/, ''), method: 'Saliency', target: '0', out, pictures: '1' }, quiet);
  const npy = parseNpy(fs.readFileSync(path.join(out, 'attribution.npy')), 'attribution.npy');
  assert.ok(npy.shape[0] > 1000, `beats ${npy.shape[0]}`);
  assert.deepEqual(npy.shape.slice(1), [252, 1]);
  for (const beat of [0, npy.shape[0] - 1]) for (let j = 0; j < 252; j++) assert.ok(Math.abs(npy.data[beat * 252 + j] - Math.abs(wb[j])) < 1e-5);
  assert.ok(fs.existsSync(path.join(out, 'ecg-0.png')) && !fs.existsSync(path.join(out, 'ecg-1.png')));
});
