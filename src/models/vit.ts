/**
 * Vision Transformer (Dosovitskiy et al.; timm layout and names), input [H, W, C]:
 * `patch_embed.proj` (conv, kernel = stride = patch) -> `patch_embed.tokens` (reshape to
 * [gridH*gridW, D]) -> `cls_token` -> `pos_embed`; `depth` pre-norm blocks
 * `blocks.i.{norm1, attn, add1, norm2, mlp.fc1 (GELU), mlp.fc2, add2}` (i from 0);
 * `norm` -> `cls_pool` (class token) -> `logits` (timm's `head`).
 * vit-tiny: D = 192, 3 heads; vit-small: D = 384, 6 heads; both 12 blocks, MLP 4*D, head
 * size 64*width. Grad-CAM layer: `blocks.{depth-1}.norm1` (the tokens after the final norm
 * reach the logits only through the class token, so their gradients are zero).
 */
import { tfl } from '../backend/tf.js';
import * as fast from './fast-layers.js';
import { InvalidInputError } from '../errors.js';
import type { BuildOptions } from './types.js';
import { apply, checkInputShape, logitsLayer, scaled, type Sym } from './blocks.js';
import { SeededInit } from './init.js';
import { layerNormalization } from './fused-layers.js';
import { ClassToken, ClassTokenPool, MultiHeadSelfAttention, PositionEmbedding, type TokenGrid } from './vit-layers.js';

/** Heads of each ViT size (embedding = heads * 64 * width). */
export const VIT_CONFIGS = { 'vit-tiny': { heads: 3 }, 'vit-small': { heads: 6 } } as const;

/** Options of the ViT builder beyond `BuildOptions`. */
export interface VitOptions extends BuildOptions {
  /** Also output each block's attention probabilities [B, heads, N, N] after the logits. */
  attentionOutputs?: boolean;
}

/** Builds `vit-tiny` or `vit-small`. */
export function buildVit(arch: keyof typeof VIT_CONFIGS, opts: VitOptions): tfl.LayersModel {
  checkInputShape(arch, opts.inputShape, [2]);
  const patch = opts.patchSize ?? 16;
  const [hgt, wid] = opts.inputShape;
  if (!Number.isInteger(patch) || patch < 1 || hgt % patch !== 0 || wid % patch !== 0) {
    throw new InvalidInputError('patchSize', `${patch} must be a positive integer dividing the input size ${hgt}x${wid}`);
  }
  const init = new SeededInit(opts.seed);
  const heads = VIT_CONFIGS[arch].heads;
  const dim = heads * scaled(64, opts.width ?? 1);
  const depth = opts.depth ?? 12;
  const grid: TokenGrid = { gridH: hgt / patch, gridW: wid / patch, hasClassToken: true };
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = apply(
    fast.conv2d({ filters: dim, kernelSize: patch, strides: patch, kernelInitializer: init.small(), name: 'patch_embed.proj' }),
    input,
  );
  x = apply(tfl.layers.reshape({ targetShape: [grid.gridH * grid.gridW, dim], name: 'patch_embed.tokens' }), x);
  x = apply(new ClassToken({ name: 'cls_token', ...grid, seed: init.seed() }), x);
  x = apply(new PositionEmbedding({ name: 'pos_embed', ...grid, seed: init.seed() }), x);
  const attentions: Sym[] = [];
  for (let i = 0; i < depth; i++) {
    const n = `blocks.${i}`;
    let y = apply(layerNormalization({ epsilon: 1e-6, name: `${n}.norm1` }), x);
    const attn = new MultiHeadSelfAttention({ name: `${n}.attn`, numHeads: heads, returnAttention: opts.attentionOutputs, ...grid, seed: init.seed() });
    const out = attn.apply(y) as Sym | Sym[];
    if (Array.isArray(out)) {
      y = out[0];
      attentions.push(out[1]);
    } else {
      y = out;
    }
    x = apply(tfl.layers.add({ name: `${n}.add1` }), [x, y]);
    y = apply(layerNormalization({ epsilon: 1e-6, name: `${n}.norm2` }), x);
    y = apply(fast.dense({ units: 4 * dim, activation: 'gelu', kernelInitializer: init.small(), name: `${n}.mlp.fc1` }), y);
    y = apply(fast.dense({ units: dim, kernelInitializer: init.small(), name: `${n}.mlp.fc2` }), y);
    x = apply(tfl.layers.add({ name: `${n}.add2` }), [x, y]);
  }
  x = apply(layerNormalization({ epsilon: 1e-6, name: 'norm' }), x);
  x = apply(new ClassTokenPool({ name: 'cls_pool', ...grid }), x);
  if (opts.dropout) x = apply(tfl.layers.dropout({ rate: opts.dropout, seed: init.seed(), name: 'dropout' }), x);
  const logits = logitsLayer(x, opts.numClasses, init);
  return tfl.model({ inputs: input, outputs: attentions.length ? [logits, ...attentions] : logits, name: arch });
}

/**
 * The token grid of a ViT-like model (from its token layers' config), or undefined when the
 * model has no token layers. Tokens [N, D] map to [gridH, gridW, D] after dropping the class
 * token when `hasClassToken`.
 */
export function tokenGridOf(model: tfl.LayersModel): TokenGrid | undefined {
  for (const layer of model.layers) {
    const c = layer.getConfig();
    if (typeof c.gridH === 'number' && typeof c.gridW === 'number') {
      return { gridH: c.gridH, gridW: c.gridW, hasClassToken: c.hasClassToken === true };
    }
  }
  return undefined;
}

type TopologyJson = { config: { layers: { class_name: string; name?: string; config: Record<string, unknown> }[]; output_layers: unknown[][] } };

/**
 * A copy of `model` (e.g. a loaded ViT) that outputs [logits, attention of block 0, ...,
 * attention of the last block], each attention [B, heads, N, N], sharing the weight values.
 * For attention rollout. A model without attention layers is an InvalidInputError.
 */
export async function withAttentionOutputs(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const topology = model.toJSON(null, false) as unknown as TopologyJson;
  const names: string[] = [];
  for (const layer of topology.config.layers) {
    if (layer.class_name === MultiHeadSelfAttention.className) {
      // toJSON writes config keys in Python style (returnAttention -> return_attention).
      if (layer.config.return_attention) throw new InvalidInputError('model', 'already outputs its attention');
      layer.config.return_attention = true;
      names.push(layer.config.name as string);
    }
  }
  if (names.length === 0) throw new InvalidInputError('model', `${model.name} has no self-attention layers`);
  topology.config.output_layers.push(...names.map((n) => [n, 0, 1]));
  const copy = await tfl.models.modelFromJSON({ modelTopology: topology } as unknown as Parameters<typeof tfl.models.modelFromJSON>[0]);
  copy.setWeights(model.getWeights());
  return copy;
}
