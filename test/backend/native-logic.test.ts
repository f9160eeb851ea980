import test from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/backend/tf.js';
import { nativeKernelHits } from '../../src/backend/native-addon.js';
import { nativeSkip, randn } from './native-helpers.js';

type Input = { values: number[] | Float32Array | Int32Array | Uint8Array; shape: number[]; dtype?: 'float32' | 'int32' | 'bool' };
type Out = { dtype: string; shape: number[]; values: number[]; arrayType: string };

/** Normal values rounded to halves (so that ties and equal values occur) with NaN and infinities mixed in. */
function specials(shape: number[], seed: number): Input {
  const { values } = randn(shape, seed);
  const extra = [NaN, Infinity, -Infinity, 0, -0];
  const out = Float32Array.from(values, (v, i) => (i % 7 === 3 ? extra[(i + seed) % extra.length] : Math.round(v * 2) / 2));
  return { values: out, shape };
}

async function runOn(backend: string, fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[]): Promise<Out> {
  await tf.setBackend(backend);
  const xs = inputs.map((d) => tf.tensor(d.values, d.shape, d.dtype));
  const y = fn(...xs);
  const data = y.dataSync();
  const out = { dtype: y.dtype, shape: y.shape, values: Array.from(data), arrayType: data.constructor.name };
  tf.dispose([...xs, y]);
  return out;
}

/**
 * Runs `fn` on cpu and native; asserts the same dtype, shape and values (NaN equal to NaN;
 * within `tol` of the largest magnitude when given), and that `kernel` ran natively.
 */
async function sameAsCpu(label: string, fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], kernel: string, tol = 0): Promise<Out> {
  const before = nativeKernelHits().get(kernel) ?? 0;
  const cpu = await runOn('cpu', fn, inputs);
  const native = await runOn('native', fn, inputs);
  assert.ok((nativeKernelHits().get(kernel) ?? 0) > before, `${label}: ${kernel} did not run natively`);
  assert.equal(native.dtype, cpu.dtype, `${label} dtype`);
  assert.deepEqual(native.shape, cpu.shape, `${label} shape`);
  const scale = Math.max(1e-6, ...cpu.values.filter(Number.isFinite).map(Math.abs));
  cpu.values.forEach((e, i) => {
    const a = native.values[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : tol === 0 || !Number.isFinite(e) ? Object.is(a, e) || a === e : Math.abs(a - e) <= tol * scale;
    if (!ok) assert.fail(`${label}[${i}]: native ${a} vs cpu ${e}`);
  });
  return native;
}

const PAIRS: [number[], number[]][] = [[[13], [13]], [[], [6]], [[4, 3], []], [[2, 3, 4], [4]], [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]], [[3, 1, 5, 1, 2], [1, 4, 1, 6, 1]]];

test('comparisons match cpu (bool Uint8Array outputs, broadcasting, NaN and infinities)', { skip: nativeSkip }, async () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['Greater', tf.greater], ['GreaterEqual', tf.greaterEqual], ['Less', tf.less], ['LessEqual', tf.lessEqual], ['Equal', tf.equal], ['NotEqual', tf.notEqual],
  ];
  for (const [i, [sa, sb]] of PAIRS.entries()) {
    for (const [name, op] of ops) {
      const out = await sameAsCpu(`${name} [${sa}] [${sb}]`, op, [specials(sa, i), specials(sb, 50 + i)], name);
      assert.equal(out.arrayType, 'Uint8Array');
    }
  }
});

test('Select (where) matches cpu: same shapes, broadcast condition; a rank-1 row condition stays on cpu', { skip: nativeSkip }, async () => {
  const where = (c: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.where(tf.greater(c, 0), a, b);
  await sameAsCpu('where [4,5,3]', where, [specials([4, 5, 3], 1), specials([4, 5, 3], 2), specials([4, 5, 3], 3)], 'Select');
  await sameAsCpu('where broadcast [5,1] [4,5,3]', where, [specials([5, 1], 4), specials([4, 5, 3], 5), specials([3], 6)], 'Select');
  const rows = (c: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.engine().runKernel('Select', { condition: tf.greater(c, 0), t: a, e: b }) as tf.Tensor;
  await sameAsCpu('Select rank-1 [9]', rows, [specials([9], 10), specials([9], 11), specials([9], 12)], 'Select');
  // tfjs-cpu's row mode (its own semantics) is what the native backend returns too
  const before = nativeKernelHits().get('Select') ?? 0;
  const cpu = await runOn('cpu', rows, [specials([6], 7), specials([6, 2, 3], 8), specials([6, 2, 3], 9)]);
  const native = await runOn('native', rows, [specials([6], 7), specials([6, 2, 3], 8), specials([6, 2, 3], 9)]);
  assert.deepEqual(native, cpu);
  assert.equal(nativeKernelHits().get('Select') ?? 0, before);
});

test('Abs, IsFinite, ZerosLike, OnesLike, Min and Max reductions match cpu with NaN and infinities', { skip: nativeSkip }, async () => {
  await sameAsCpu('abs', tf.abs, [specials([3, 7, 5], 1)], 'Abs');
  const fin = await sameAsCpu('isFinite', tf.isFinite, [specials([3, 7, 5], 2)], 'IsFinite');
  await sameAsCpu('zerosLike', tf.zerosLike, [specials([40, 50], 3)], 'ZerosLike');
  await sameAsCpu('onesLike', tf.onesLike, [specials([40, 50], 4)], 'OnesLike');
  assert.equal(fin.arrayType, 'Uint8Array');
  const cases: [number[], number | number[] | undefined, boolean][] = [
    [[13], undefined, false], [[4, 5], 0, false], [[4, 5], 1, true], [[3, 4, 5], [0, 2], false], [[3, 4, 5], [1], true],
    [[2, 3, 4, 5, 6], [1, 3], false], [[3, 1, 4], [1], false], [[2, 3, 4], [-1], false], [[6, 8, 8, 3], [1, 2], true],
  ];
  for (const [i, [shape, axis, keep]] of cases.entries()) {
    // with and without NaNs: a NaN anywhere in a group makes it NaN
    const noNaN = { values: Float32Array.from(specials(shape, i).values as Float32Array, (v) => (Number.isNaN(v) ? -Infinity : v)), shape };
    for (const x of [specials(shape, i), noNaN]) {
      await sameAsCpu(`max [${shape}] ${axis} ${keep}`, (a) => tf.max(a, axis, keep), [x], 'Max');
      await sameAsCpu(`min [${shape}] ${axis} ${keep}`, (a) => tf.min(a, axis, keep), [x], 'Min');
    }
  }
  // the gradient of max (Equal, Cast, Multiply) goes through the new kernels too
  await sameAsCpu('max grad', (a) => tf.grad((v: tf.Tensor) => tf.sum(tf.max(v, 1)))(a), [randn([4, 6, 3], 3)], 'Equal');
});

test('Cast between float32, int32 and bool matches cpu (JS ToInt32, NaN to bool true)', { skip: nativeSkip }, async () => {
  const floats = { values: Float32Array.from([1.7, -1.7, 0.5, -0.5, NaN, Infinity, -Infinity, 3e9, -3e9, 2 ** 31, -(2 ** 31), 1e20, -0, 0, 7]), shape: [15] };
  await sameAsCpu('float32 -> int32', (a) => tf.cast(a, 'int32'), [floats], 'Cast');
  await sameAsCpu('float32 -> bool', (a) => tf.cast(a, 'bool'), [floats], 'Cast');
  const ints: Input = { values: Int32Array.from([0, 1, -1, 2 ** 24, -(2 ** 24), 12345, 5]), shape: [7], dtype: 'int32' };
  await sameAsCpu('int32 -> bool', (a) => tf.cast(a, 'bool'), [ints], 'Cast');
  const toFloat = await sameAsCpu('int32 -> float32', (a) => tf.cast(a, 'float32'), [ints], 'Cast');
  assert.equal(toFloat.arrayType, 'Float32Array', 'int32 -> float32 gives native kernels a Float32Array');
  // tfjs-cpu shares the Int32Array (exact past 2^24); the Float32Array rounds as Float32Array.from
  const big = [2 ** 31 - 1, -(2 ** 31), 16777217, -16777219];
  const rounded = await runOn('native', (a) => tf.cast(a, 'float32'), [{ values: Int32Array.from(big), shape: [4], dtype: 'int32' }]);
  assert.deepEqual(rounded.values, big.map(Math.fround));
  const bools: Input = { values: Uint8Array.from([1, 0, 0, 1, 1]), shape: [5], dtype: 'bool' };
  await sameAsCpu('bool -> float32', (a) => tf.cast(a, 'float32'), [bools], 'Cast');
  // after a cast to float32 the native binary kernels take the data
  const before = nativeKernelHits().get('Multiply') ?? 0;
  await sameAsCpu('mask * x', (m, x) => tf.mul(tf.cast(tf.greater(m, 0), 'float32'), x), [specials([4, 6], 1), specials([4, 6], 2)], 'Cast');
  assert.ok((nativeKernelHits().get('Multiply') ?? 0) > before);
});

test('GatherV2 on float32 matches cpu on any axis; bad indices throw as on cpu', { skip: nativeSkip }, async () => {
  const idx = (values: number[], shape: number[]): Input => ({ values: Int32Array.from(values), shape, dtype: 'int32' });
  const cases: [number[], Input, number][] = [
    [[7], idx([6, 0, 3, 3], [4]), 0], [[5, 4], idx([4, 1], [2]), 0], [[5, 4], idx([3, 0, 0, 2, 1, 3], [2, 3]), 1],
    [[3, 4, 5, 2], idx([4, 0, 2], [3]), 2], [[3, 4, 5, 2], idx([1, 0], [2]), -1], [[2, 6, 3], idx([5], [1]), 1],
  ];
  for (const [shape, indices, axis] of cases) {
    await sameAsCpu(`gather [${shape}] axis ${axis}`, (x, i) => tf.gather(x, i, axis), [specials(shape, shape.length), indices], 'GatherV2');
  }
  await tf.setBackend('native');
  assert.throws(() => tf.tidy(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], 'int32'))), /GatherV2: the index value 3 is not in \[0, 2\]/);
});
