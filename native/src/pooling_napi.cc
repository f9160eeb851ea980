// N-API entry points of the oneDNN pooling kernels.
#include "napi_exports.h"
#include "napi_util.h"
#include "pooling.h"

namespace medlens {
namespace {

// Checked PoolParams (native/src/pooling.h) and the element counts of input (N*D*H*W*C) and
// output (N*OD*OH*OW*C).
struct Pool {
  const int *p;
  size_t inLen, outLen;
};

Pool poolingParams(napi_env env, napi_value v) {
  const int *p = params(env, v, PP_COUNT);
  if (p[PP_ND] != 2 && p[PP_ND] != 3) throw ArgError("bad pooling rank");
  for (int i = PP_N; i < PP_COUNT; i++) if (p[i] < 0 || (i < PP_PF && p[i] == 0) || (i >= PP_DD && p[i] == 0)) throw ArgError("bad pooling params");
  return {p, prod({p[PP_N], p[PP_D], p[PP_H], p[PP_W], p[PP_C]}), prod({p[PP_N], p[PP_OD], p[PP_OH], p[PP_OW], p[PP_C]})};
}

// poolForward(params, alg, x, y) -> false when oneDNN cannot take the geometry
napi_value PoolForward(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    const Pool g = poolingParams(env, a[0]);
    return boolean(env, poolForward(g.p, static_cast<int>(number(env, a[1])), f32(env, a[2], g.inLen, "x"), f32(env, a[3], g.outLen, "y")));
  });
}

// maxPoolBackward(params, x, y, dy, dx) -> false when oneDNN cannot take the geometry
napi_value MaxPoolBackward(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) {
    const Pool g = poolingParams(env, a[0]);
    return boolean(env, maxPoolBackward(g.p, f32(env, a[1], g.inLen, "x"), f32(env, a[2], g.outLen, "y"), f32(env, a[3], g.outLen, "dy"),
                                        f32(env, a[4], g.inLen, "dx")));
  });
}

// avgPoolBackward(params, dy, dx) -> false when oneDNN cannot take the geometry
napi_value AvgPoolBackward(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    const Pool g = poolingParams(env, a[0]);
    return boolean(env, avgPoolBackward(g.p, f32(env, a[1], g.outLen, "dy"), f32(env, a[2], g.inLen, "dx")));
  });
}

}  // namespace

void definePoolingExports(napi_env env, napi_value exports) {
  defineMethods(env, exports, {{"poolForward", PoolForward}, {"maxPoolBackward", MaxPoolBackward}, {"avgPoolBackward", AvgPoolBackward}});
}

}  // namespace medlens
