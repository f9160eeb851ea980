import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { nativeKernelHits } from '../src/backend/native-addon.js';
await initNodeBackend('native');
for (const [shape, pad] of [[[1, 112, 112, 64], 1], [[1, 224, 224, 3], 3], [[1, 56, 56, 64], 1]] as const) {
  const x = tf.randomNormal([...shape]);
  const p = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]);
  for (let i = 0; i < 3; i++) tf.tidy(() => { tf.slice(p, [0, pad, pad, 0], [...shape]).dataSync(); tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]).dataSync(); });
  let t0 = performance.now();
  for (let i = 0; i < 20; i++) tf.tidy(() => { tf.slice(p, [0, pad, pad, 0], [...shape]).dataSync(); });
  const ts = (performance.now() - t0) / 20;
  t0 = performance.now();
  for (let i = 0; i < 20; i++) tf.tidy(() => { tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]).dataSync(); });
  console.log(shape, 'slice', ts.toFixed(2), 'pad', ((performance.now() - t0) / 20).toFixed(2));
  tf.dispose([x, p]);
}
const bnx = tf.randomNormal([1, 112, 112, 64]);
const m = tf.randomNormal([64]), v = tf.randomUniform([64], 0.5, 1), s = tf.randomNormal([64]), o = tf.randomNormal([64]);
for (let i = 0; i < 3; i++) tf.tidy(() => { tf.batchNorm(bnx, m, v, o, s, 1e-5).dataSync(); });
let t0 = performance.now();
for (let i = 0; i < 20; i++) tf.tidy(() => { tf.batchNorm(bnx, m, v, o, s, 1e-5).dataSync(); });
console.log('batchNorm 112x112x64', ((performance.now() - t0) / 20).toFixed(2));
console.log([...nativeKernelHits()]);
