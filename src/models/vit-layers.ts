/**
 * Custom layers of the ViT (tfjs-layers 4.22 has no MultiHeadAttention, class token or
 * learned position embedding). Each is registered for serialisation, so saved models load.
 * Every one carries the token grid (`gridH`, `gridW`, `hasClassToken`) in its config: an
 * explainer reshapes tokens [N, D] to a [gridH, gridW, D] map without hand-written sizes.
 */
import { tf, tfl } from '../backend/tf.js';
import { FUSED_KERNELS, fusedAttention, hasFusedKernel } from '../backend/fused-ops.js';
// Registers the fast LayerNormalization and 'gelu' in place of the stock ones (also for loading).
import './fused-layers.js';

type Tensor = tf.Tensor;
type Shape = (number | null)[];
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Token grid of a ViT: patches per column and row, and whether a class token comes first. */
export interface TokenGrid {
  gridH: number;
  gridW: number;
  hasClassToken: boolean;
}

/** Config shared by the token layers. */
export interface TokenLayerArgs extends LayerArgs, TokenGrid {
  /** Seed of the layer's initializer. */
  seed?: number;
}

function one(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

function oneShape(s: Shape | Shape[]): Shape {
  return Array.isArray(s[0]) || s[0] === undefined ? ((s as Shape[])[0] ?? []) : (s as Shape);
}

/** Base of the token layers: keeps the grid and seed and serialises them. */
abstract class TokenLayer extends tfl.layers.Layer {
  readonly grid: TokenGrid;
  readonly seed: number;

  constructor(args: TokenLayerArgs) {
    super(args);
    this.grid = { gridH: args.gridH, gridW: args.gridW, hasClassToken: args.hasClassToken };
    this.seed = args.seed ?? 0;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.grid, seed: this.seed };
  }
}

/** Prepends a learned class token: [B, N, D] -> [B, N + 1, D]. */
export class ClassToken extends TokenLayer {
  static className = 'MedlensClassToken';
  private token?: tfl.LayerVariable;

  override build(inputShape: Shape | Shape[]): void {
    const dim = oneShape(inputShape)[2] as number;
    this.token = this.addWeight('token', [1, 1, dim], 'float32', tfl.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    return [s[0], s[1] === null ? null : (s[1] as number) + 1, s[2]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      // Broadcast by adding to zeros rather than tf.tile: Add's gradient is a cheap sum.
      const zeros = tf.zerosLike(tf.slice(x, [0, 0, 0], [-1, 1, -1]));
      return tf.concat([tf.add(zeros, this.token!.read()), x], 1);
    });
  }
}

/** Adds a learned position embedding [1, N, D] to the tokens. */
export class PositionEmbedding extends TokenLayer {
  static className = 'MedlensPositionEmbedding';
  private pos?: tfl.LayerVariable;

  override build(inputShape: Shape | Shape[]): void {
    const s = oneShape(inputShape);
    this.pos = this.addWeight('embedding', [1, s[1] as number, s[2] as number], 'float32', tfl.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed }));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return oneShape(inputShape);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => tf.add(one(inputs), this.pos!.read()));
  }
}

/** Picks the class token: [B, N, D] -> [B, D]. */
export class ClassTokenPool extends TokenLayer {
  static className = 'MedlensClassTokenPool';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    return [s[0], s[2]];
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      return tf.reshape(tf.slice(x, [0, 0, 0], [-1, 1, -1]), [x.shape[0], x.shape[2] as number]);
    });
  }
}

/**
 * x [M, K] times kernel [K, N] plus bias [N]. With `fast` and no gradient being recorded, one
 * fused kernel (bias added in the matmul); otherwise separate ops, whose gradients tfjs runs per
 * input (the fused op's gradient would compute the weight gradients even for an input gradient).
 */
function linear(x: Tensor, kernel: Tensor, bias: Tensor, fast: boolean): Tensor {
  if (fast && tf.engine().state.gradientDepth === 0) return tf.fused.matMul({ a: x, b: kernel, bias });
  return tf.add(tf.matMul(x, kernel), bias);
}

/** Config of `MultiHeadSelfAttention`. */
export interface AttentionArgs extends TokenLayerArgs {
  numHeads: number;
  /** Also output the attention probabilities [B, heads, N, N] (for attention rollout). */
  returnAttention?: boolean;
}

/**
 * Multi-head self-attention as in ViT/timm: one fused `qkv` projection [D, 3D] (output
 * ordered (3, heads, headDim) like timm), scaled dot-product softmax attention per head,
 * output projection `proj` [D, D]. Input and output [B, N, D].
 */
export class MultiHeadSelfAttention extends TokenLayer {
  static className = 'MedlensMultiHeadSelfAttention';
  readonly numHeads: number;
  readonly returnAttention: boolean;
  private qkvKernel?: tfl.LayerVariable;
  private qkvBias?: tfl.LayerVariable;
  private projKernel?: tfl.LayerVariable;
  private projBias?: tfl.LayerVariable;

  constructor(args: AttentionArgs) {
    super(args);
    this.numHeads = args.numHeads;
    this.returnAttention = args.returnAttention ?? false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const dim = oneShape(inputShape)[2] as number;
    if (dim % this.numHeads !== 0) throw new Error(`${this.name}: embedding size ${dim} is not divisible by ${this.numHeads} heads`);
    const init = (k: number) => tfl.initializers.truncatedNormal({ stddev: 0.02, seed: this.seed + k });
    this.qkvKernel = this.addWeight('qkv_kernel', [dim, 3 * dim], 'float32', init(0));
    this.qkvBias = this.addWeight('qkv_bias', [3 * dim], 'float32', tfl.initializers.zeros());
    this.projKernel = this.addWeight('proj_kernel', [dim, dim], 'float32', init(1));
    this.projBias = this.addWeight('proj_bias', [dim], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const s = oneShape(inputShape);
    return this.returnAttention ? [s, [s[0], this.numHeads, s[1], s[1]]] : s;
  }

  /** The fused projection [B * N, 3 * D] of tokens x [B, N, D], last axis ordered (3, heads, headDim). */
  private qkvOf(x: Tensor, fast = false): Tensor {
    const [b, n, d] = x.shape as [number, number, number];
    return linear(tf.reshape(x, [b * n, d]), this.qkvKernel!.read(), this.qkvBias!.read(), fast);
  }

  /** q, k, v [B, heads, N, headDim] of tokens x [B, N, D]. */
  private project(x: Tensor): Tensor[] {
    const [b, n, d] = x.shape as [number, number, number];
    const h = this.numHeads;
    return tf.unstack(tf.transpose(tf.reshape(this.qkvOf(x), [b, n, 3, h, d / h]), [2, 0, 3, 1, 4]));
  }

  /** The output projection [B, N, D] of the heads' context [B * N, D] (heads concatenated). */
  private projectOut(ctx: Tensor, b: number, n: number, fast = false): Tensor {
    const d = ctx.shape[1] as number;
    return tf.reshape(linear(ctx, this.projKernel!.read(), this.projBias!.read(), fast), [b, n, d]);
  }

  private probsOf(q: Tensor, k: Tensor): Tensor {
    return tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[3] as number)));
  }

  private mix(probs: Tensor, v: Tensor): Tensor {
    const [b, h, n, hd] = v.shape as [number, number, number, number];
    return this.projectOut(tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [b * n, h * hd]), b, n);
  }

  /**
   * [output, probabilities] through the backend's fused attention kernel (one kernel from the
   * qkv projection to the heads' concatenated context), or null when the backend has none.
   */
  private fusedCall(x: Tensor): [Tensor, Tensor] | null {
    if (!hasFusedKernel(FUSED_KERNELS.attention) || x.dtype !== 'float32') return null;
    const [b, n, d] = x.shape as [number, number, number];
    const out = fusedAttention(tf.reshape(this.qkvOf(x, true), [b, n, 3 * d]), this.numHeads);
    return out && [this.projectOut(tf.reshape(out[0], [b * n, d]), b, n, true), out[1]];
  }

  /** Attention probabilities [B, heads, N, N] for tokens x [B, N, D] (input of this layer). */
  attentionProbs(x: Tensor): Tensor {
    return tf.tidy(() => {
      const [q, k] = this.project(x);
      return this.probsOf(q, k);
    });
  }

  /**
   * The layer's output for tokens x with the given attention probabilities instead of its own:
   * lets gradient-weighted rollout differentiate the output with respect to the attention.
   */
  attend(x: Tensor, probs: Tensor): Tensor {
    return tf.tidy(() => this.mix(probs, this.project(x)[2]));
  }

  override call(inputs: Tensor | Tensor[]): Tensor | Tensor[] {
    return tf.tidy(() => {
      const x = one(inputs);
      const fused = this.fusedCall(x);
      if (fused) return this.returnAttention ? fused : fused[0];
      const [q, k, v] = this.project(x);
      const probs = this.probsOf(q, k);
      const y = this.mix(probs, v);
      return this.returnAttention ? [y, probs] : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, returnAttention: this.returnAttention };
  }
}

for (const cls of [ClassToken, PositionEmbedding, ClassTokenPool, MultiHeadSelfAttention]) {
  tf.serialization.registerClass(cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
}
