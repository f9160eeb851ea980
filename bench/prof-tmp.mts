import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { buildModel, type ModelArch } from '../src/models/index.js';
await initNodeBackend('native');
const arch = (process.argv[2] ?? 'cnn64') as ModelArch;
const op = process.argv[3] ?? 'inputgrad';
const shape = arch.startsWith('ecg') ? [256, 1] : [64, 64, 3];
const model = buildModel(arch, { inputShape: shape, numClasses: 10, seed: 1 });
const x = tf.randomNormal([16, ...shape]);
const opt = tf.train.sgd(0.01);
const run = op === 'train'
  ? () => { const loss = opt.minimize(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true); loss!.dataSync(); loss!.dispose(); }
  : op === 'forward' ? () => tf.tidy(() => { (model.apply(x, { training: false }) as tf.Tensor).dataSync(); })
  : () => tf.tidy(() => { tf.grad((inp: tf.Tensor) => tf.sum(model.apply(inp, { training: false }) as tf.Tensor))(x).dataSync(); });
for (let i = 0; i < 3; i++) run();
const t0 = performance.now();
const N = Number(process.argv[4] ?? 10);
for (let i = 0; i < N; i++) run();
console.log(`${arch} ${op}: ${((performance.now() - t0) / N).toFixed(1)} ms`);
