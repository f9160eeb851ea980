/**
 * Profiles one zoo net on wasm: total time of an input gradient or a training step and the
 * kernels that take the most time (nested kernels of composed ones are counted too).
 * Run: node --import tsx bench/wasm-profile.ts resnet18 [inputgrad|train] [shapes]
 */
import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { buildModel, type ModelArch } from '../src/models/index.js';

await initNodeBackend((process.env.MEDLENS_BACKEND as 'wasm') ?? 'wasm');
const arch = (process.argv[2] ?? 'resnet18') as ModelArch;
const op = process.argv[3] ?? 'inputgrad';
const byShape = process.argv[4] === 'shapes';
const shape = arch.startsWith('ecg') ? [256, 1] : [64, 64, 3];
const model = buildModel(arch, { inputShape: shape, numClasses: 10, seed: 1 });
const x = tf.randomNormal([16, ...shape]);
const opt = tf.train.sgd(0.01);
const run = op === 'train'
  ? () => {
      const loss = opt.minimize(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true);
      loss!.dataSync();
      loss!.dispose();
    }
  : () => tf.tidy(() => { tf.grad((inp: tf.Tensor) => tf.sum(model.apply(inp, { training: false }) as tf.Tensor))(x).dataSync(); });
run();
const t0 = performance.now();
run();
console.log(`${arch} ${op}: ${(performance.now() - t0).toFixed(1)} ms`);
const info = await tf.profile(run);
const total = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) {
  const key = k.name + (byShape ? ` ${JSON.stringify(k.inputShapes)}` : '');
  const a = total.get(key) ?? { ms: 0, n: 0 };
  a.ms += Number(k.kernelTimeMs) || 0;
  a.n++;
  total.set(key, a);
}
for (const [k, v] of [...total.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  console.log(`${v.ms.toFixed(1).padStart(9)} ms ${String(v.n).padStart(5)}x ${k.slice(0, 150)}`);
}
