import { tf } from '../src/backend/tf.js';
import { initNodeBackend } from '../src/backend/node.js';
import { buildModel } from '../src/models/index.js';
await initNodeBackend('native');
const model = buildModel('resnet18', { inputShape: [224, 224, 3], numClasses: 10, seed: 1 });
const x = tf.randomNormal([1, 224, 224, 3]);
const run = () => tf.tidy(() => { tf.grad((inp: tf.Tensor) => tf.sum(tf.slice(model.apply(inp, { training: false }) as tf.Tensor, [0, 0], [-1, 1])))(x).dataSync(); });
for (let i = 0; i < 3; i++) run();
let t0 = performance.now(); for (let i = 0; i < 5; i++) run(); console.log('inputgrad', ((performance.now() - t0) / 5).toFixed(1));
const fwd = () => tf.tidy(() => { (model.apply(x, { training: false }) as tf.Tensor).dataSync(); });
t0 = performance.now(); for (let i = 0; i < 5; i++) fwd(); console.log('forward', ((performance.now() - t0) / 5).toFixed(1));
const info = await tf.profile(run);
const total = new Map<string, { ms: number; n: number }>();
for (const k of info.kernels) { const a = total.get(k.name) ?? { ms: 0, n: 0 }; a.ms += Number(k.kernelTimeMs) || 0; a.n++; total.set(k.name, a); }
for (const [k, v] of [...total.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) console.log(`${v.ms.toFixed(1).padStart(9)} ms ${String(v.n).padStart(5)}x ${k}`);
