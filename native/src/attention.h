// Multi-head self-attention core, softmax(Q K^T * scale) V per head, forward and backward, from
// the fused qkv projection [B, N, 3, H, hd] to the context [B, N, H, hd] (heads concatenated):
// two (backward: four) oneDNN batched matmuls over all heads plus a softmax loop, where tfjs
// runs a reshape, a 5-d transpose, unstack, two batched matmuls, a scale, a softmax and a
// transpose (and about twice as many kernels for the gradient).
#pragma once

namespace medlens {

// Sizes of one attention call.
struct AttentionDims {
  long batch, tokens, heads, headDim;
  float scale;
};

// qkv [B, N, 3*H*hd] -> ctx [B, N, H*hd], probs [B, H, N, N].
void attentionForward(const AttentionDims &a, const float *qkv, float *ctx, float *probs);

// dqkv [B, N, 3*H*hd] from dctx [B, N, H*hd] and, when not null, the gradient of the
// probabilities output dprobs [B, H, N, N]; qkv and probs as saved by the forward pass.
void attentionBackward(const AttentionDims &a, const float *qkv, const float *probs, const float *dctx, const float *dprobs,
                       float *dqkv);

}  // namespace medlens
