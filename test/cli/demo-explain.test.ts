import test from 'node:test';
import assert from 'node:assert/strict';
import { tf, tfl } from '../../src/backend/tf.js';
import { explainDemoBeats } from '../../src/cli/demo-explain.js';
import type { EcgRunResult } from '../../src/cli/ecg-pipeline.js';
import { base64 } from '../../src/report/html.js';
import { decodePngImage } from '../../src/data/png.js';

/**
 * A linear "classifier" whose class-1 logit reads only samples [10, 16) of a 24-sample beat, and
 * beats whose QRS (and true evidence) is exactly there: integrated gradients must put all relevance
 * on the QRS and on the true evidence.
 */
function fakeRun(): EcgRunResult {
  const t = 24, n = 4;
  const w = new Float32Array(t * 2);
  for (let s = 10; s < 16; s++) w[s * 2 + 1] = 1 + s / 10;
  const model = tfl.sequential({
    layers: [tfl.layers.flatten({ inputShape: [t, 1] }), tfl.layers.dense({ units: 2, useBias: false, weights: [tf.tensor2d(w, [t, 2])] })],
  });
  const x = Float32Array.from({ length: n * t }, (_, i) => Math.sin(i) + 2);
  const waves = new Uint8Array(n * t), relevance = new Uint8Array(n * t);
  for (let b = 0; b < n; b++) {
    for (let s = 2; s < 6; s++) waves[b * t + s] = 1;
    for (let s = 10; s < 16; s++) { waves[b * t + s] = 2; relevance[b * t + s] = 1; }
    for (let s = 18; s < 22; s++) waves[b * t + s] = 3;
  }
  const test = { x, shape: [n, t, 1], y: Int32Array.from([1, 1, 1, 1]), classNames: ['N', 'V'], fs: 50, waves, relevance };
  return { model, test, testRaw: x, testLogits: new Float32Array(n * 2) } as unknown as EcgRunResult;
}

test('demo explanation puts all relevance of a QRS-only model on the QRS and the true evidence', async () => {
  const out = await explainDemoBeats(fakeRun(), [0, 2], 4);
  const v = out.shares[1];
  assert.equal(v.beats, 4);
  assert.ok(Math.abs(v.qrs - 1) < 1e-6, `QRS share ${v.qrs}`);
  assert.ok(v.p < 1e-6 && v.t < 1e-6 && v.outside < 1e-6);
  assert.ok(Math.abs(v.onTruth - 1) < 1e-6);
  assert.equal(out.shares[0].beats, 0);
  assert.equal(out.pictures.length, 2);
  const img = decodePngImage(out.pictures[0].png, 'beat.png');
  assert.deepEqual(img.shape.slice(0, 2), [110, 360]);
  assert.equal(out.section.table?.rows.length, 2);
});

test('base64 matches the standard encoding (RFC 4648 test vectors)', () => {
  const enc = (s: string) => base64(new TextEncoder().encode(s));
  assert.deepEqual(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc), ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy']);
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 255);
  assert.equal(base64(bytes), Buffer.from(bytes).toString('base64'));
});
