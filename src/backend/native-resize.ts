/**
 * ResizeBilinear and its gradient on the 'native' backend (C++ in native/src/indexing.cc).
 * The forward matches tfjs-cpu (alignCorners, halfPixelCenters). The gradient is the exact
 * adjoint of that forward, output shaped like the images: tfjs-cpu 4.22's ResizeBilinearGrad
 * returns [N, W, H, C] (swapped for non-square images), and every tfjs backend's gradient
 * ignores halfPixelCenters; with halfPixelCenters false this is webgl's and wasm's gradient.
 */
import { tf } from './tf.js';
import { allocOutput, nativeKernel, type NativeAddon, type NativeImpl } from './native-addon.js';
import { floatInput } from './native-logic.js';

interface ResizeAttrs { alignCorners: boolean; halfPixelCenters: boolean; size?: [number, number] }

/** ResizeParam array of native/src/indexing.h: x [N, H, W, C] to [N, OH, OW, C]. */
function resizeParams(xShape: number[], outH: number, outW: number, a: ResizeAttrs): Int32Array {
  const [n, h, w, c] = xShape;
  return Int32Array.from([n, h, w, c, outH, outW, a.alignCorners ? 1 : 0, a.halfPixelCenters ? 1 : 0]);
}

const resizeBilinear: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const x = floatInput(backend, inputs.images);
  const shape = inputs.images!.shape;
  const a = attrs as unknown as ResizeAttrs;
  if (!x || shape.length !== 4 || !a.size || a.size.some((d) => d < 1)) return null;
  const [oh, ow] = a.size;
  const out = allocOutput(backend, [shape[0], oh, ow, shape[3]]);
  addon.resizeBilinear(resizeParams(shape, oh, ow, a), x, out.values);
  return out.info;
};

const resizeBilinearGrad: NativeImpl = ({ inputs, attrs }, addon, backend) => {
  const dy = floatInput(backend, inputs.dy);
  const shape = inputs.images!.shape, dyShape = inputs.dy!.shape;
  if (!dy || shape.length !== 4 || dyShape.length !== 4 || dyShape[0] !== shape[0] || dyShape[3] !== shape[3]) return null;
  const out = allocOutput(backend, shape);
  addon.resizeBilinearGrad(resizeParams(shape, dyShape[1], dyShape[2], attrs as unknown as ResizeAttrs), dy, out.values);
  return out.info;
};

/** Kernel configs of the native bilinear resize and its gradient. */
export function nativeResizeKernels(addon: NativeAddon): tf.KernelConfig[] {
  return [nativeKernel('ResizeBilinear', resizeBilinear, addon), nativeKernel('ResizeBilinearGrad', resizeBilinearGrad, addon)];
}
