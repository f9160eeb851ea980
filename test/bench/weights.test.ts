import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tfl } from '../../src/backend/tf.js';
import { decodeBundle, encodeBundle, kernelToTorch, torchStateDict } from '../../bench/weights.js';

test('kernelToTorch: conv2d [kh,kw,in,out] -> [out,in,kh,kw], element by element', () => {
  const [kh, kw, cin, cout] = [2, 3, 4, 5];
  const data = Float32Array.from({ length: kh * kw * cin * cout }, (_, i) => i);
  const t = kernelToTorch(data, [kh, kw, cin, cout]);
  assert.deepEqual(t.shape, [cout, cin, kh, kw]);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
    assert.equal(t.data[((o * cin + i) * kh + y) * kw + x], data[((y * kw + x) * cin + i) * cout + o]);
  }
});

test('kernelToTorch: dense / LSTM kernel [in,out] -> [out,in] is the transpose', () => {
  const t = kernelToTorch(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(Array.from(t.data), [1, 4, 2, 5, 3, 6]);
  assert.throws(() => kernelToTorch(new Float32Array(3), [3]), /rank >= 2/);
});

test('torchStateDict: names, renames and shapes of conv, BN, dense and LSTM layers', () => {
  const input = tfl.input({ shape: [8, 2] });
  const c = tfl.layers.conv1d({ filters: 3, kernelSize: 5, padding: 'same', useBias: false, name: 'c1' }).apply(input) as tfl.SymbolicTensor;
  const b = tfl.layers.batchNormalization({ name: 'bn' }).apply(c) as tfl.SymbolicTensor;
  const l = tfl.layers.lstm({ units: 4, name: 'lstm1' }).apply(b) as tfl.SymbolicTensor;
  const d = tfl.layers.dense({ units: 2, name: 'logits' }).apply(l) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: d });
  const sd = torchStateDict(model, { logits: 'fc' });
  const shapes = Object.fromEntries(sd.map((a) => [a.name, a.shape]));
  assert.deepEqual(shapes, {
    'c1.weight': [3, 2, 5],
    'bn.weight': [3], 'bn.bias': [3], 'bn.running_mean': [3], 'bn.running_var': [3],
    'lstm1.weight_ih': [16, 3], 'lstm1.weight_hh': [16, 4], 'lstm1.bias': [16],
    'fc.weight': [2, 4], 'fc.bias': [2],
  });
  // the dense weight is the transpose of the tfjs kernel
  const k = model.getLayer('logits').getWeights()[0].arraySync() as number[][];
  const w = sd.find((a) => a.name === 'fc.weight')!.data;
  assert.equal(w[1 * 4 + 3], Math.fround(k[3][1]));
  model.dispose();
});

test('encodeBundle / decodeBundle round trip, with offsets', () => {
  const a = { name: 'a', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
  const b = { name: 'b/c', shape: [3], data: Float32Array.from([-1.5, 0, 7]) };
  const { header, blob } = encodeBundle([a, b]);
  assert.equal(blob.byteLength, 7 * 4);
  assert.deepEqual(JSON.parse(header).tensors[1], { name: 'b/c', shape: [3], offset: 4 });
  const back = decodeBundle(header, blob);
  assert.deepEqual(Array.from(back.get('b/c')!.data), [-1.5, 0, 7]);
  assert.deepEqual(back.get('a')!.shape, [2, 2]);
  assert.throws(() => encodeBundle([{ name: 'x', shape: [2], data: new Float32Array(3) }]), /3 values for shape/);
  assert.throws(() => decodeBundle(header, blob.subarray(0, 8)), /past the end/);
});
