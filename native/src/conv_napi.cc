// N-API entry points of the oneDNN convolution and matmul kernels.
#include "conv.h"
#include "matmul.h"
#include "napi_exports.h"
#include "napi_util.h"

namespace medlens {
namespace {

size_t srcLen(const int *p) { return prod({p[CP_N], p[CP_D], p[CP_H], p[CP_W], p[CP_CI]}); }
size_t dstLen(const int *p) { return prod({p[CP_N], p[CP_OD], p[CP_OH], p[CP_OW], p[CP_CO]}); }
size_t wtsLen(const int *p) {
  if (p[CP_GROUPS] < 1 || p[CP_CI] % p[CP_GROUPS] || p[CP_CO] % p[CP_GROUPS]) throw ArgError("bad groups");
  return prod({p[CP_KD], p[CP_KH], p[CP_KW], p[CP_CI] / p[CP_GROUPS], p[CP_CO]});
}

// convForward(params, alpha, x, w, bias|null, y, weightsId)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  return wrap<7>(env, info, [&](napi_value *a) {
    const int *p = params(env, a[0], CP_COUNT);
    float *bias = f32(env, a[4], p[CP_CO], "bias", true);
    if ((bias != nullptr) != (p[CP_HAS_BIAS] != 0)) throw ArgError("bias does not match params");
    convForward(p, static_cast<float>(number(env, a[1])), f32(env, a[2], srcLen(p), "x"), f32(env, a[3], wtsLen(p), "filter"),
                bias, f32(env, a[5], dstLen(p), "y"), number(env, a[6]));
  });
}

// convBackwardData(params, dy, w, dx, weightsId)
napi_value ConvBackwardData(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) {
    const int *p = params(env, a[0], CP_COUNT);
    convBackwardData(p, f32(env, a[1], dstLen(p), "dy"), f32(env, a[2], wtsLen(p), "filter"), f32(env, a[3], srcLen(p), "dx"),
                     number(env, a[4]));
  });
}

// convReleaseWeights(weightsId): drops the weights kept under the id
napi_value ConvReleaseWeights(napi_env env, napi_callback_info info) {
  return wrap<1>(env, info, [&](napi_value *a) { convReleaseWeights(number(env, a[0])); });
}

// convBackwardWeights(params, x, dy, dw)
napi_value ConvBackwardWeights(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    const int *p = params(env, a[0], CP_COUNT);
    convBackwardWeights(p, f32(env, a[1], srcLen(p), "x"), f32(env, a[2], dstLen(p), "dy"), f32(env, a[3], wtsLen(p), "dw"));
  });
}

// matmul(params, alpha, a, b, bias|null, c)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return wrap<6>(env, info, [&](napi_value *a) {
    const int *p = params(env, a[0], MP_COUNT);
    if (p[MP_BA] != p[MP_BB] && p[MP_BA] != 1 && p[MP_BB] != 1) throw ArgError("batch sizes do not broadcast");
    const int batch = p[MP_BA] > p[MP_BB] ? p[MP_BA] : p[MP_BB];
    float *bias = f32(env, a[4], p[MP_N], "bias", true);
    if ((bias != nullptr) != (p[MP_HAS_BIAS] != 0)) throw ArgError("bias does not match params");
    matmul(p, static_cast<float>(number(env, a[1])), f32(env, a[2], prod({p[MP_BA], p[MP_M], p[MP_K]}), "a"),
           f32(env, a[3], prod({p[MP_BB], p[MP_K], p[MP_N]}), "b"), bias, f32(env, a[5], prod({batch, p[MP_M], p[MP_N]}), "c"));
  });
}

}  // namespace

void defineConvExports(napi_env env, napi_value exports) {
  defineMethods(env, exports,
                {{"convForward", ConvForward}, {"convBackwardData", ConvBackwardData}, {"convBackwardWeights", ConvBackwardWeights},
                 {"convReleaseWeights", ConvReleaseWeights}, {"matmul", MatMul}});
}

}  // namespace medlens
