import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { initNodeBackend } from '../../src/backend/node.js';
import { runCli } from '../../src/cli/main.js';
import { buildModel } from '../../src/models/zoo.js';
import { createMetadata } from '../../src/models/metadata.js';
import { saveModelFolder } from '../../src/node/models.js';
import { predictLogits, softmaxRows } from '../../src/train/predict.js';
import { tmpDir } from '../helpers.js';

test('predict on an RGB PNG feeds a grey-model the BT.601 luminance in [0, 1]', async () => {
  await initNodeBackend('wasm');
  const dir = tmpDir();
  const model = buildModel('cnn64', { inputShape: [16, 16, 1], numClasses: 2, seed: 3, depth: 2, width: 0.25 });
  await saveModelFolder(path.join(dir, 'm'), model, createMetadata({ arch: 'cnn64', task: 'test', classNames: ['neg', 'pos'], inputShape: [16, 16, 1] }));
  const png = new PNG({ width: 16, height: 16 });
  const grey = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = [(i * 7) % 256, (i * 3) % 256, 255 - i];
    png.data.set([r, g, b, 255], i * 4);
    grey[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
  fs.writeFileSync(path.join(dir, 'img.png'), PNG.sync.write(png));
  const expected = softmaxRows(predictLogits(model, grey, [1, 16, 16, 1]), 2);
  const code = await runCli(['node', 'medlens', 'predict', '--model', path.join(dir, 'm'), '--input', path.join(dir, 'img.png'), '--out', path.join(dir, 'p.json'), '--backend', 'wasm']);
  assert.equal(code, 0);
  const row = JSON.parse(fs.readFileSync(path.join(dir, 'p.json'), 'utf8')).predictions[0];
  // luminance rounding inside the decoder may differ by < 1 level
  assert.ok(Math.abs(row.probabilities.pos - expected[1]) < 1e-3, `${row.probabilities.pos} vs ${expected[1]}`);
  model.dispose();
});
