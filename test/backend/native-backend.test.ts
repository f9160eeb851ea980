import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { NATIVE_KERNEL_NAMES, NativeBackend, nativeInfo } from '../../src/backend/native.js';
import { activationCode, loadNativeAddon } from '../../src/backend/native-addon.js';
import { conv2DParams } from '../../src/backend/native-conv.js';
import { initNodeBackend } from '../../src/backend/node.js';
import { nativeSkip } from './native-helpers.js';

test('activationCode maps tfjs activations to the addon codes; prelu is not native', () => {
  assert.equal(activationCode(undefined), 0);
  assert.equal(activationCode('relu'), 1);
  assert.equal(activationCode('sigmoid'), 5);
  assert.equal(activationCode('prelu'), undefined);
});

test('conv2DParams lays out geometry, padding and groups as native/src/conv.h expects', () => {
  const c = tf.backend_util.computeConv2DInfo([2, 9, 11, 4], [3, 3, 4, 2], 2, 1, 'same', undefined, true);
  const p = conv2DParams(c, true, 1, true);
  // nd N D H W Ci Co KD KH KW OD OH OW sd sh sw dd dh dw pf pt pl pbk pb pr groups act bias
  assert.deepEqual([...p], [2, 2, 1, 9, 11, 4, 8, 1, 3, 3, 1, 5, 6, 1, 2, 2, 1, 1, 1, 0, 1, 1, 0, 1, 1, 4, 1, 1]);
});

test('the native backend registers every cpu kernel and reports oneDNN and its threads', { skip: nativeSkip }, async () => {
  const info = await initNodeBackend('native');
  assert.equal(info.name, 'native');
  assert.ok(tf.backend() instanceof NativeBackend);
  const nativeNames = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) assert.ok(nativeNames.has(k.kernelName), k.kernelName);
  for (const k of ['Conv2D', 'Conv2DBackpropFilter', 'BatchMatMul', 'MaxPoolGrad', 'Transpose']) assert.ok(NATIVE_KERNEL_NAMES.includes(k), k);
  const ni = nativeInfo();
  assert.match(ni?.onednn ?? '', /^\d+\.\d+\.\d+$/);
  assert.ok((ni?.threads ?? 0) >= 1);
});

test('the addon rejects buffers whose length does not match the shape parameters', { skip: nativeSkip }, () => {
  const addon = loadNativeAddon();
  assert.ok(typeof addon !== 'string');
  const c = tf.backend_util.computeConv2DInfo([1, 4, 4, 1], [3, 3, 1, 1], 1, 1, 'same');
  const p = conv2DParams(c, false);
  const ok = () => addon.convForward(p, 0, new Float32Array(16), new Float32Array(9), null, new Float32Array(16), 0);
  ok();
  assert.throws(() => addon.convForward(p, 0, new Float32Array(16), new Float32Array(9), null, new Float32Array(15), 0), /y has 15 elements, expected 16/);
  assert.throws(() => addon.convForward(p, 0, new Float32Array(16), new Float32Array(8), null, new Float32Array(16), 0), /filter/);
  assert.throws(() => addon.matmul(Int32Array.from([2, 3, 2, 2, 2, 0, 0, 0, 0]), 0, new Float32Array(8), new Float32Array(12), null, new Float32Array(12)), /broadcast/);
  assert.throws(() => addon.transpose(Int32Array.from([2, 2, 3, 0, 0]), new Float32Array(6), new Float32Array(6)), /permutation/);
  assert.throws(() => addon.copyBlock(Int32Array.from([1, 4, 2, 4, 0, 3]), new Float32Array(4), new Float32Array(4)), /out of bounds/);
});
