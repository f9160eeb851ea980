// N-API entry points of the transformer kernels (layer norm, GELU, attention core). Every function
// checks buffer lengths against the sizes it derives before touching memory.
#include "attention.h"
#include "gelu.h"
#include "layernorm.h"
#include "napi_exports.h"
#include "napi_util.h"

namespace medlens {
namespace {

// Rows and row length of a [rows, d] buffer whose rows come from `perRow` (length rows) and d
// from `perCol` (length d).
struct RowShape {
  size_t rows, d;
};

RowShape rowShape(napi_env env, napi_value perRow, napi_value perCol, const char *rowName, const char *colName) {
  size_t rows, d;
  f32Any(env, perRow, rowName, rows, false);
  f32Any(env, perCol, colName, d, false);
  return {rows, d};
}

// layerNorm(eps, x, gamma, beta, y, mean, rstd)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  return wrap<7>(env, info, [&](napi_value *a) {
    const RowShape s = rowShape(env, a[5], a[2], "mean", "gamma");
    const size_t n = s.rows * s.d;
    layerNormForward(s.rows, s.d, static_cast<float>(number(env, a[0])), f32(env, a[1], n, "x"), f32(env, a[2], s.d, "gamma"),
                     f32(env, a[3], s.d, "beta"), f32(env, a[4], n, "y"), f32(env, a[5], s.rows, "mean"), f32(env, a[6], s.rows, "rstd"));
  });
}

// layerNormGradInput(dy, x, gamma, mean, rstd, dx)
napi_value LayerNormGradInput(napi_env env, napi_callback_info info) {
  return wrap<6>(env, info, [&](napi_value *a) {
    const RowShape s = rowShape(env, a[3], a[2], "mean", "gamma");
    const size_t n = s.rows * s.d;
    layerNormBackwardInput(s.rows, s.d, f32(env, a[0], n, "dy"), f32(env, a[1], n, "x"), f32(env, a[2], s.d, "gamma"),
                           f32(env, a[3], s.rows, "mean"), f32(env, a[4], s.rows, "rstd"), f32(env, a[5], n, "dx"));
  });
}

// layerNormGradGamma(dy, x, mean, rstd, dgamma)
napi_value LayerNormGradGamma(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) {
    const RowShape s = rowShape(env, a[2], a[4], "mean", "dgamma");
    const size_t n = s.rows * s.d;
    layerNormBackwardGamma(s.rows, s.d, f32(env, a[0], n, "dy"), f32(env, a[1], n, "x"), f32(env, a[2], s.rows, "mean"),
                           f32(env, a[3], s.rows, "rstd"), f32(env, a[4], s.d, "dgamma"));
  });
}

// gelu(x, y)
napi_value Gelu(napi_env env, napi_callback_info info) {
  return wrap<2>(env, info, [&](napi_value *a) {
    size_t n;
    const float *x = f32Any(env, a[0], "x", n, false);
    geluForward(static_cast<long>(n), x, f32(env, a[1], n, "y"));
  });
}

// geluGrad(dy, x, dx)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    size_t n;
    const float *x = f32Any(env, a[1], "x", n, false);
    geluBackward(static_cast<long>(n), f32(env, a[0], n, "dy"), x, f32(env, a[2], n, "dx"));
  });
}

// Checked attention sizes from params [B, N, H, hd] and the scale; element counts of qkv,
// ctx and probs.
struct AttentionArgs {
  AttentionDims dims;
  size_t qkvLen, ctxLen, probsLen;
};

AttentionArgs attentionArgs(napi_env env, napi_value params, napi_value scale) {
  size_t len;
  const int *p = typedArray<int>(env, params, napi_int32_array, SIZE_MAX, "params", false, &len);
  if (len != 4) throw ArgError("params must be [batch, tokens, heads, headDim]");
  for (size_t i = 0; i < 4; i++) if (p[i] < 1) throw ArgError("non-positive attention size");
  const size_t b = p[0], n = p[1], h = p[2], hd = p[3];
  return {{p[0], p[1], p[2], p[3], static_cast<float>(number(env, scale))}, b * n * 3 * h * hd, b * n * h * hd, b * h * n * n};
}

// attention(params=[B, N, H, hd], scale, qkv, ctx, probs)
napi_value Attention(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) {
    const AttentionArgs s = attentionArgs(env, a[0], a[1]);
    attentionForward(s.dims, f32(env, a[2], s.qkvLen, "qkv"), f32(env, a[3], s.ctxLen, "ctx"), f32(env, a[4], s.probsLen, "probs"));
  });
}

// attentionGrad(params, scale, qkv, probs, dctx, dprobs|null, dqkv)
napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  return wrap<7>(env, info, [&](napi_value *a) {
    const AttentionArgs s = attentionArgs(env, a[0], a[1]);
    attentionBackward(s.dims, f32(env, a[2], s.qkvLen, "qkv"), f32(env, a[3], s.probsLen, "probs"), f32(env, a[4], s.ctxLen, "dctx"),
                      f32(env, a[5], s.probsLen, "dprobs", true), f32(env, a[6], s.qkvLen, "dqkv"));
  });
}

}  // namespace

void defineTransformerExports(napi_env env, napi_value exports) {
  defineMethods(env, exports,
                {{"layerNorm", LayerNorm}, {"layerNormGradInput", LayerNormGradInput}, {"layerNormGradGamma", LayerNormGradGamma},
                 {"gelu", Gelu}, {"geluGrad", GeluGrad}, {"attention", Attention}, {"attentionGrad", AttentionGrad}});
}

}  // namespace medlens
