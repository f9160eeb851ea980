import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { buildModel, type ModelArch } from '../src/models/index.js';
await initNodeBackend('wasm');
const arch = (process.argv[2] ?? 'resnet18') as ModelArch;
const shape = arch === 'ecg-lstm' ? [256, 1] : [64, 64, 3];
const model = buildModel(arch, { inputShape: shape, numClasses: 10, seed: 1 });
const x = tf.randomNormal([16, ...shape]);
const opt = tf.train.sgd(0.01);
const f = process.argv[3] === 'train'
  ? () => { const l = opt.minimize(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true); l!.dataSync(); l!.dispose(); }
  : () => tf.tidy(() => tf.grad((inp: tf.Tensor) => tf.sum(model.apply(inp, { training: false }) as tf.Tensor))(x).dataSync());
f();
const t0 = performance.now(); f(); console.log('inputgrad ms', performance.now() - t0);
const info = await tf.profile(f);
const agg = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const key = k.name + (process.argv[4] && k.name.startsWith('Conv') ? ' ' + JSON.stringify(k.inputShapes) : '');
  const a = agg.get(key) ?? { ms: 0, n: 0 };
  a.ms += (k.kernelTimeMs as number) || 0; a.n++; agg.set(key, a);
}
const list = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
for (const [k, v] of list) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(4), k.slice(0, 150));
