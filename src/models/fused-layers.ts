/**
 * Fast paths for the stock tfjs-layers pieces a transformer uses: `LayerNormalization` and the
 * 'gelu' activation. Each is a subclass of the stock class with the same className, registered
 * for serialisation in its place (saved models stay stock-compatible; loaded ones get the fast
 * path). They run a fused kernel (src/backend/fused-ops.ts) when the active backend has one and
 * the stock code otherwise, so wasm, cpu and the browser behave exactly as before.
 */
import { tf, tfl } from '../backend/tf.js';
import { fusedGelu, fusedLayerNorm } from '../backend/fused-ops.js';

type Tensor = tf.Tensor;
type StockLayerNorm = ReturnType<typeof tfl.layers.layerNormalization>;
type LayerNormArgs = Parameters<typeof tfl.layers.layerNormalization>[0];
type Serializable = tf.serialization.SerializableConstructor<tf.serialization.Serializable>;

/** The class tfjs-layers registered under `className` (the stock classes are not exported). */
function stockClass<T>(className: string): T {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`tfjs-layers has no registered class ${className}`);
  return entry[0] as unknown as T;
}

/** The stock layer's private state the fast path reads (public in the JS object). */
interface LayerNormState {
  axis: number[];
  gamma: tfl.LayerVariable | null;
  beta: tfl.LayerVariable | null;
}

// Captured before this module registers its own classes under the same names.
const StockLayerNormalization = stockClass<new (args?: LayerNormArgs) => StockLayerNorm>('LayerNormalization');
const StockGelu = stockClass<new () => { apply(x: Tensor): Tensor; getClassName(): string }>('gelu');

/**
 * tfjs-layers' `LayerNormalization`, with one fused kernel (forward and backward) for the common
 * case: normalising the last axis with both scale and offset.
 */
export class LayerNormalization extends StockLayerNormalization {
  static className = 'LayerNormalization';

  override call(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): Tensor | Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const s = this as unknown as LayerNormState;
    if (s.gamma && s.beta && s.axis.length === 1 && s.axis[0] === x.rank - 1) {
      // gamma and beta are [D] here, so the fused op creates no intermediate tensors: no tidy needed.
      const y = fusedLayerNorm(x, s.gamma.read(), s.beta.read(), this.epsilon);
      if (y) return y;
    }
    return super.call(inputs, kwargs);
  }
}

/** A `LayerNormalization` layer with the fused fast path (same arguments as tfl.layers.layerNormalization). */
export function layerNormalization(args?: LayerNormArgs): LayerNormalization {
  return new LayerNormalization(args);
}

/** tfjs-layers' 'gelu' activation (exact erf form), one fused kernel where the backend has it. */
export class Gelu extends StockGelu {
  static className = 'gelu';

  override apply(x: Tensor): Tensor {
    return fusedGelu(x) ?? super.apply(x);
  }
}

for (const cls of [LayerNormalization, Gelu]) tf.serialization.registerClass(cls as unknown as Serializable);
