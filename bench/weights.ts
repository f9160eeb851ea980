/**
 * Moving tensors between medlens and the PyTorch reference of the benchmarks: a layers
 * model's weights renamed and transposed to a PyTorch state dict, and a minimal float32
 * bundle format (a JSON header naming each tensor's shape and offset, plus one
 * little-endian float32 blob) that numpy reads with `np.frombuffer`.
 */
import type { tfl } from '../src/backend/tf.js';

/** A named float32 array with its shape. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Reorders a tfjs kernel [...k, in, out] (Conv1D/2D/3D, Dense, LSTM kernel [in, 4h]) to the
 * PyTorch layout [out, in, ...k]. LSTM gate order needs no change: tfjs i, f, c, o is
 * PyTorch's i, f, g, o.
 */
export function kernelToTorch(data: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  if (shape.length < 2) throw new Error(`kernelToTorch: a kernel has rank >= 2, got [${shape}]`);
  const spatial = shape.slice(0, -2);
  const [cin, cout] = shape.slice(-2);
  const k = spatial.reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let s = 0; s < k; s++) {
    for (let i = 0; i < cin; i++) {
      for (let o = 0; o < cout; o++) out[(o * cin + i) * k + s] = data[(s * cin + i) * cout + o];
    }
  }
  return { data: out, shape: [cout, cin, ...spatial] };
}

/** PyTorch names of a layer's weights, in tfjs `getWeights()` order, or undefined if it has none we know. */
function torchNames(className: string, count: number): string[] | undefined {
  if (/^Conv[123]D$|^Dense$/.test(className)) return ['weight', 'bias'].slice(0, count);
  if (className === 'BatchNormalization') return count === 4 ? ['weight', 'bias', 'running_mean', 'running_var'] : undefined;
  if (className === 'LSTM' || className === 'GRU') return ['weight_ih', 'weight_hh', 'bias'];
  return undefined;
}

/**
 * The model's weights as a PyTorch state dict: key `<layer name>.<torch name>` (layer names
 * renamed by `rename`, e.g. logits -> fc for torchvision ResNets), kernels transposed.
 * Throws on a layer with weights it does not know how to map.
 */
export function torchStateDict(model: tfl.LayersModel, rename: Record<string, string> = {}): NamedArray[] {
  const out: NamedArray[] = [];
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const cls = layer.getClassName();
    const names = torchNames(cls, ws.length);
    if (!names) throw new Error(`torchStateDict: no mapping for ${cls} layer '${layer.name}' with ${ws.length} weights`);
    const prefix = rename[layer.name] ?? layer.name;
    ws.forEach((w, i) => {
      const data = w.dataSync() as Float32Array;
      const isKernel = names[i].startsWith('weight') && w.shape.length >= 2;
      const t = isKernel ? kernelToTorch(data, w.shape) : { data: Float32Array.from(data), shape: w.shape.slice() };
      out.push({ name: `${prefix}.${names[i]}`, ...t });
    });
  }
  return out;
}

/** Encodes arrays as a bundle: the header (JSON text) and the float32 blob. */
export function encodeBundle(arrays: NamedArray[]): { header: string; blob: Uint8Array } {
  let offset = 0;
  const entries = arrays.map((a) => {
    const size = a.shape.reduce((p, q) => p * q, 1);
    if (size !== a.data.length) throw new Error(`encodeBundle: '${a.name}' has ${a.data.length} values for shape [${a.shape}]`);
    const e = { name: a.name, shape: a.shape, offset };
    offset += size;
    return e;
  });
  const all = new Float32Array(offset);
  arrays.forEach((a, i) => all.set(a.data, entries[i].offset));
  // float32 arrays are little-endian on every platform Node runs on
  return { header: JSON.stringify({ dtype: 'float32', tensors: entries }), blob: new Uint8Array(all.buffer) };
}

/** Decodes a bundle written by `encodeBundle` (or by bench/torch_explain.py). */
export function decodeBundle(header: string, blob: Uint8Array): Map<string, NamedArray> {
  const h = JSON.parse(header) as { tensors: { name: string; shape: number[]; offset: number }[] };
  const all = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
  const out = new Map<string, NamedArray>();
  for (const e of h.tensors) {
    const size = e.shape.reduce((p, q) => p * q, 1);
    if (e.offset + size > all.length) throw new Error(`decodeBundle: '${e.name}' runs past the end of the blob`);
    out.set(e.name, { name: e.name, shape: e.shape, data: all.slice(e.offset, e.offset + size) });
  }
  return out;
}
