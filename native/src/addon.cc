// N-API entry points of the medlens oneDNN addon. Written against Node's C API (node_api.h,
// shipped with Node's headers) so the build needs no npm package: CI builds it before `npm ci`.
// Every function checks buffer lengths against the shape parameters before touching memory.
#include <node_api.h>
#include <omp.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "batchnorm.h"
#include "activation.h"
#include "common.h"
#include "conv.h"
#include "elementwise.h"
#include "matmul.h"
#include "rnn.h"
#include "transformer_napi.h"
#include "pooling.h"

namespace {

using namespace medlens;

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_env env, napi_status status) {
  if (status != napi_ok) throw ArgError("N-API call failed");
}

template <typename T>
T *typedArray(napi_env env, napi_value v, napi_typedarray_type want, size_t wantLen, const char *name, bool nullable = false,
              size_t *gotLen = nullptr) {
  napi_valuetype vt;
  check(env, napi_typeof(env, v, &vt));
  if (nullable && (vt == napi_null || vt == napi_undefined)) return nullptr;
  bool is = false;
  check(env, napi_is_typedarray(env, v, &is));
  if (!is) throw ArgError(std::string(name) + " must be a typed array");
  napi_typedarray_type type;
  size_t len;
  void *data;
  check(env, napi_get_typedarray_info(env, v, &type, &len, &data, nullptr, nullptr));
  if (type != want) throw ArgError(std::string(name) + " has the wrong element type");
  if (wantLen != SIZE_MAX && len != wantLen)
    throw ArgError(std::string(name) + " has " + std::to_string(len) + " elements, expected " + std::to_string(wantLen));
  if (gotLen) *gotLen = len;
  return static_cast<T *>(data);
}

const int *params(napi_env env, napi_value v, size_t count) {
  return typedArray<int>(env, v, napi_int32_array, count, "params");
}

float *f32(napi_env env, napi_value v, size_t len, const char *name, bool nullable = false) {
  return typedArray<float>(env, v, napi_float32_array, len, name, nullable);
}

// A float32 array of any length; its element count goes to `len`.
float *f32Any(napi_env env, napi_value v, const char *name, size_t &len) {
  return typedArray<float>(env, v, napi_float32_array, SIZE_MAX, name, false, &len);
}

double number(napi_env env, napi_value v) {
  double d;
  check(env, napi_get_value_double(env, v, &d));
  return d;
}

// Runs `body` with the call's arguments, turning C++ exceptions into JS errors.
template <size_t N, typename F>
napi_value wrap(napi_env env, napi_callback_info info, F body) {
  size_t argc = N;
  napi_value argv[N];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != N) {
    napi_throw_type_error(env, nullptr, ("expected " + std::to_string(N) + " arguments").c_str());
    return nullptr;
  }
  try {
    return body(argv);
  } catch (const dnnl::error &e) {
    napi_throw_error(env, "ONEDNN", (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

size_t prod(std::initializer_list<int> dims) {
  size_t n = 1;
  for (int d : dims) {
    if (d <= 0) throw ArgError("non-positive dimension");
    n *= static_cast<size_t>(d);
  }
  return n;
}

size_t srcLen(const int *p) { return prod({p[CP_N], p[CP_D], p[CP_H], p[CP_W], p[CP_CI]}); }
size_t dstLen(const int *p) { return prod({p[CP_N], p[CP_OD], p[CP_OH], p[CP_OW], p[CP_CO]}); }
size_t wtsLen(const int *p) {
  if (p[CP_GROUPS] < 1 || p[CP_CI] % p[CP_GROUPS] || p[CP_CO] % p[CP_GROUPS]) throw ArgError("bad groups");
  return prod({p[CP_KD], p[CP_KH], p[CP_KW], p[CP_CI] / p[CP_GROUPS], p[CP_CO]});
}

// convForward(params, alpha, x, w, bias|null, y, weightsId)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  return wrap<7>(env, info, [&](napi_value *a) -> napi_value {
    const int *p = params(env, a[0], CP_COUNT);
    float *bias = f32(env, a[4], p[CP_CO], "bias", true);
    if ((bias != nullptr) != (p[CP_HAS_BIAS] != 0)) throw ArgError("bias does not match params");
    convForward(p, static_cast<float>(number(env, a[1])), f32(env, a[2], srcLen(p), "x"), f32(env, a[3], wtsLen(p), "filter"),
                bias, f32(env, a[5], dstLen(p), "y"), number(env, a[6]));
    return nullptr;
  });
}

// convBackwardData(params, dy, w, dx, weightsId)
napi_value ConvBackwardData(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) -> napi_value {
    const int *p = params(env, a[0], CP_COUNT);
    convBackwardData(p, f32(env, a[1], dstLen(p), "dy"), f32(env, a[2], wtsLen(p), "filter"), f32(env, a[3], srcLen(p), "dx"),
                     number(env, a[4]));
    return nullptr;
  });
}

// convReleaseWeights(weightsId): drops the weights kept under the id
napi_value ConvReleaseWeights(napi_env env, napi_callback_info info) {
  return wrap<1>(env, info, [&](napi_value *a) -> napi_value {
    convReleaseWeights(number(env, a[0]));
    return nullptr;
  });
}

// convBackwardWeights(params, x, dy, dw)
napi_value ConvBackwardWeights(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) -> napi_value {
    const int *p = params(env, a[0], CP_COUNT);
    convBackwardWeights(p, f32(env, a[1], srcLen(p), "x"), f32(env, a[2], dstLen(p), "dy"), f32(env, a[3], wtsLen(p), "dw"));
    return nullptr;
  });
}

// matmul(params, alpha, a, b, bias|null, c)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return wrap<6>(env, info, [&](napi_value *a) -> napi_value {
    const int *p = params(env, a[0], MP_COUNT);
    if (p[MP_BA] != p[MP_BB] && p[MP_BA] != 1 && p[MP_BB] != 1) throw ArgError("batch sizes do not broadcast");
    const int batch = p[MP_BA] > p[MP_BB] ? p[MP_BA] : p[MP_BB];
    float *bias = f32(env, a[4], p[MP_N], "bias", true);
    if ((bias != nullptr) != (p[MP_HAS_BIAS] != 0)) throw ArgError("bias does not match params");
    matmul(p, static_cast<float>(number(env, a[1])), f32(env, a[2], prod({p[MP_BA], p[MP_M], p[MP_K]}), "a"),
           f32(env, a[3], prod({p[MP_BB], p[MP_K], p[MP_N]}), "b"), bias, f32(env, a[5], prod({batch, p[MP_M], p[MP_N]}), "c"));
    return nullptr;
  });
}

size_t prodOf(const int *dims, int n) {
  size_t s = 1;
  for (int i = 0; i < n; i++) {
    if (dims[i] < 0) throw ArgError("negative dimension");
    s *= static_cast<size_t>(dims[i]);
  }
  return s;
}

// Params [rank, then `perRank` arrays of `rank` ints]; the rank goes to `rank`.
const int *rankedParams(napi_env env, napi_value v, int perRank, int &rank) {
  size_t len;
  const int *p = typedArray<int>(env, v, napi_int32_array, SIZE_MAX, "params", false, &len);
  if (len < 2) throw ArgError("params too short");
  rank = p[0];
  if (rank < 1 || rank > kMaxRank || len != static_cast<size_t>(1 + perRank * rank)) throw ArgError("bad rank in params");
  return p;
}

// binary(op, params=[rank, outShape, aShape, bShape], a, b, out)
napi_value Binary(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) -> napi_value {
    int r;
    const int *p = rankedParams(env, a[1], 3, r);
    const int *out = p + 1, *as = p + 1 + r, *bs = p + 1 + 2 * r;
    for (int i = 0; i < r; i++) {
      if ((as[i] != out[i] && as[i] != 1) || (bs[i] != out[i] && bs[i] != 1)) throw ArgError("shapes do not broadcast");
    }
    binary(static_cast<int>(number(env, a[0])), r, out, as, bs, f32(env, a[2], prodOf(as, r), "a"), f32(env, a[3], prodOf(bs, r), "b"),
           f32(env, a[4], prodOf(out, r), "out"));
    return nullptr;
  });
}

// reduceSum(params=[rank, shape, reducedFlags], scale, x, out)
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) -> napi_value {
    int r;
    const int *p = rankedParams(env, a[0], 2, r);
    const int *shape = p + 1, *flags = p + 1 + r;
    size_t outLen = 1;
    for (int i = 0; i < r; i++) if (!flags[i]) outLen *= static_cast<size_t>(shape[i]);
    reduceSum(r, shape, flags, static_cast<float>(number(env, a[1])), f32(env, a[2], prodOf(shape, r), "x"), f32(env, a[3], outLen, "out"));
    return nullptr;
  });
}

// unary(op, alpha, x, y)
napi_value Unary(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) -> napi_value {
    size_t n;
    float *x = f32Any(env, a[2], "x", n);
    unary(static_cast<int>(number(env, a[0])), static_cast<float>(number(env, a[1])), static_cast<long>(n), x, f32(env, a[3], n, "y"));
    return nullptr;
  });
}

// tile(params=[rank, inShape, reps], x, out)
napi_value Tile(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) -> napi_value {
    int r;
    const int *p = rankedParams(env, a[0], 2, r);
    size_t outLen = prodOf(p + 1, r) * prodOf(p + 1 + r, r);
    tile(r, p + 1, p + 1 + r, f32(env, a[1], prodOf(p + 1, r), "x"), f32(env, a[2], outLen, "out"));
    return nullptr;
  });
}

// batchNorm(channels, eps, x, mean, variance, offset|null, scale|null, y)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  return wrap<8>(env, info, [&](napi_value *a) -> napi_value {
    const double c = number(env, a[0]);
    size_t n;
    float *x = f32Any(env, a[2], "x", n);
    if (c < 1 || n % static_cast<size_t>(c)) throw ArgError("x size is not a multiple of channels");
    const size_t cc = static_cast<size_t>(c);
    batchNorm(static_cast<long>(n), static_cast<long>(cc), x, f32(env, a[3], cc, "mean"), f32(env, a[4], cc, "variance"),
              f32(env, a[5], cc, "offset", true), f32(env, a[6], cc, "scale", true), static_cast<float>(number(env, a[1])),
              f32(env, a[7], n, "y"));
    return nullptr;
  });
}

// Channel count (`cv`) and element count of a channel-last tensor x (`xv`); checks c divides it.
size_t channelsOf(napi_env env, napi_value cv, napi_value xv, const char *name, float *&x, size_t &c) {
  const double cd = number(env, cv);
  size_t n;
  x = f32Any(env, xv, name, n);
  if (cd < 1 || n == 0 || n % static_cast<size_t>(cd)) throw ArgError(std::string(name) + " size is not a positive multiple of channels");
  c = static_cast<size_t>(cd);
  return n;
}

// batchNormTrain(channels, eps, x, scale|null, offset|null, y, mean, variance)
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  return wrap<8>(env, info, [&](napi_value *a) -> napi_value {
    float *x;
    size_t c;
    const size_t n = channelsOf(env, a[0], a[2], "x", x, c);
    batchNormTrainForward(static_cast<long>(n / c), static_cast<long>(c), x, f32(env, a[3], c, "scale", true),
                          f32(env, a[4], c, "offset", true), static_cast<float>(number(env, a[1])), f32(env, a[5], n, "y"),
                          f32(env, a[6], c, "mean"), f32(env, a[7], c, "variance"));
    return nullptr;
  });
}

// batchNormTrainGrad(channels, eps, dy, x, mean, variance, scale|null, dx|null, dscale, doffset)
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  return wrap<10>(env, info, [&](napi_value *a) -> napi_value {
    float *x;
    size_t c;
    const size_t n = channelsOf(env, a[0], a[3], "x", x, c);
    batchNormTrainBackward(static_cast<long>(n / c), static_cast<long>(c), f32(env, a[2], n, "dy"), x, f32(env, a[4], c, "mean"),
                           f32(env, a[5], c, "variance"), f32(env, a[6], c, "scale", true), static_cast<float>(number(env, a[1])),
                           f32(env, a[7], n, "dx", true), f32(env, a[8], c, "dscale"), f32(env, a[9], c, "doffset"));
    return nullptr;
  });
}

// transpose(params=[rank, shape, perm], x, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) -> napi_value {
    int r;
    const int *p = rankedParams(env, a[0], 2, r);
    bool seen[kMaxRank] = {false};
    for (int i = 0; i < r; i++) {
      const int q = p[1 + r + i];
      if (q < 0 || q >= r || seen[q]) throw ArgError("bad permutation");
      seen[q] = true;
    }
    const size_t n = prodOf(p + 1, r);
    transpose(r, p + 1, p + 1 + r, f32(env, a[1], n, "x"), f32(env, a[2], n, "out"));
    return nullptr;
  });
}

// copyBlock(params=[rank, srcShape, srcOff, dstShape, dstOff, block], src, dst)
napi_value CopyBlock(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) -> napi_value {
    int r;
    const int *p = rankedParams(env, a[0], 5, r);
    const int *ss = p + 1, *so = p + 1 + r, *ds = p + 1 + 2 * r, *dof = p + 1 + 3 * r, *bs = p + 1 + 4 * r;
    for (int i = 0; i < r; i++) {
      if (so[i] < 0 || dof[i] < 0 || bs[i] < 0 || so[i] + bs[i] > ss[i] || dof[i] + bs[i] > ds[i]) throw ArgError("block out of bounds");
    }
    copyBlock(r, ss, so, ds, dof, bs, f32(env, a[1], prodOf(ss, r), "src"), f32(env, a[2], prodOf(ds, r), "dst"));
    return nullptr;
  });
}

// softmax(rowLength, x, y)
napi_value Softmax(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) -> napi_value {
    const double n = number(env, a[0]);
    size_t len;
    float *x = f32Any(env, a[1], "x", len);
    if (n < 1 || len % static_cast<size_t>(n)) throw ArgError("x size is not a multiple of the row length");
    softmax(static_cast<long>(len / static_cast<size_t>(n)), static_cast<long>(n), x, f32(env, a[2], len, "y"));
    return nullptr;
  });
}

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

napi_value boolean(napi_env env, bool b) {
  napi_value v;
  check(env, napi_get_boolean(env, b, &v));
  return v;
}

// poolForward(params, alg, x, y) -> false when oneDNN cannot take the geometry
napi_value PoolForward(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) -> napi_value {
    const Pool g = poolingParams(env, a[0]);
    return boolean(env, poolForward(g.p, static_cast<int>(number(env, a[1])), f32(env, a[2], g.inLen, "x"), f32(env, a[3], g.outLen, "y")));
  });
}

// maxPoolBackward(params, x, y, dy, dx) -> false when oneDNN cannot take the geometry
napi_value MaxPoolBackward(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) -> napi_value {
    const Pool g = poolingParams(env, a[0]);
    return boolean(env, maxPoolBackward(g.p, f32(env, a[1], g.inLen, "x"), f32(env, a[2], g.outLen, "y"), f32(env, a[3], g.outLen, "dy"),
                                        f32(env, a[4], g.inLen, "dx")));
  });
}

// avgPoolBackward(params, dy, dx) -> false when oneDNN cannot take the geometry
napi_value AvgPoolBackward(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) -> napi_value {
    const Pool g = poolingParams(env, a[0]);
    return boolean(env, avgPoolBackward(g.p, f32(env, a[1], g.outLen, "dy"), f32(env, a[2], g.inLen, "dx")));
  });
}

// reluGrad(dy, x, dx)
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) -> napi_value {
    size_t n;
    const float *dy = f32Any(env, a[0], "dy", n);
    reluGrad(static_cast<long>(n), dy, f32(env, a[1], n, "x"), f32(env, a[2], n, "dx"));
    return nullptr;
  });
}

// Checked RnnParams (see rnn.h) and the element counts of x, y, the weights and the workspace
// of a recurrent layer with `gates` gates and `wsPerUnit` workspace floats per unit.
struct Rnn {
  const int *p;
  size_t xLen, yLen, wLen, uLen, bLen, wsLen;
};

Rnn rnnParams(napi_env env, napi_value v, int gates, int wsPerUnit) {
  const int *p = params(env, v, RP_COUNT);
  const size_t b = prod({p[RP_B]}), t = prod({p[RP_T]}), d = prod({p[RP_D]}), u = prod({p[RP_U]}), g = gates * u;
  return {p, b * t * d, (p[RP_SEQ] ? b * t : b) * u, d * g, u * g, g, b * t * wsPerUnit * u};
}

// lstmForward / gruForward(params, x, kernel, recurrentKernel, bias|null, y, ws)
template <int Gates, int WsPerUnit, void (*kForward)(const int *, const float *, const float *, const float *, const float *, float *, float *)>
napi_value RnnForward(napi_env env, napi_callback_info info) {
  return wrap<7>(env, info, [&](napi_value *a) -> napi_value {
    const Rnn r = rnnParams(env, a[0], Gates, WsPerUnit);
    float *bias = f32(env, a[4], r.bLen, "bias", true);
    if ((bias != nullptr) != (r.p[RP_HAS_BIAS] != 0)) throw ArgError("bias does not match params");
    kForward(r.p, f32(env, a[1], r.xLen, "x"), f32(env, a[2], r.wLen, "kernel"), f32(env, a[3], r.uLen, "recurrentKernel"), bias,
             f32(env, a[5], r.yLen, "y"), f32(env, a[6], r.wsLen, "ws"));
    return nullptr;
  });
}

// lstmBackward / gruBackward(params, dy, x, kernel, recurrentKernel, ws, dx, dKernel, dRecurrentKernel, dBias|null)
template <int Gates, int WsPerUnit,
          void (*kBackward)(const int *, const float *, const float *, const float *, const float *, const float *, float *, float *,
                            float *, float *)>
napi_value RnnBackward(napi_env env, napi_callback_info info) {
  return wrap<10>(env, info, [&](napi_value *a) -> napi_value {
    const Rnn r = rnnParams(env, a[0], Gates, WsPerUnit);
    float *db = f32(env, a[9], r.bLen, "dBias", true);
    if ((db != nullptr) != (r.p[RP_HAS_BIAS] != 0)) throw ArgError("dBias does not match params");
    kBackward(r.p, f32(env, a[1], r.yLen, "dy"), f32(env, a[2], r.xLen, "x"), f32(env, a[3], r.wLen, "kernel"),
              f32(env, a[4], r.uLen, "recurrentKernel"), f32(env, a[5], r.wsLen, "ws"), f32(env, a[6], r.xLen, "dx"),
              f32(env, a[7], r.wLen, "dKernel"), f32(env, a[8], r.uLen, "dRecurrentKernel"), db);
    return nullptr;
  });
}

// info() -> { onednn, threads, cachedPrimitives }
napi_value Info(napi_env env, napi_callback_info info) {
  return wrap<0>(env, info, [&](napi_value *) -> napi_value {
    napi_value obj, v;
    check(env, napi_create_object(env, &obj));
    const dnnl_version_t *ver = dnnl_version();
    std::string s = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." + std::to_string(ver->patch);
    check(env, napi_create_string_utf8(env, s.c_str(), s.size(), &v));
    check(env, napi_set_named_property(env, obj, "onednn", v));
    check(env, napi_create_int32(env, omp_get_max_threads(), &v));
    check(env, napi_set_named_property(env, obj, "threads", v));
    check(env, napi_create_int32(env, static_cast<int>(cacheSize()), &v));
    check(env, napi_set_named_property(env, obj, "cachedPrimitives", v));
    return obj;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  const std::pair<const char *, napi_callback> methods[] = {
      {"convForward", ConvForward},
      {"convBackwardData", ConvBackwardData},
      {"convBackwardWeights", ConvBackwardWeights},
      {"convReleaseWeights", ConvReleaseWeights},
      {"matmul", MatMul},
      {"binary", Binary},
      {"reduceSum", ReduceSum},
      {"unary", Unary},
      {"tile", Tile},
      {"batchNorm", BatchNorm},
      {"batchNormTrain", BatchNormTrain},
      {"batchNormTrainGrad", BatchNormTrainGrad},
      {"transpose", Transpose},
      {"copyBlock", CopyBlock},
      {"softmax", Softmax},
      {"lstmForward", RnnForward<4, kLstmWorkspacePerUnit, lstmForward>},
      {"lstmBackward", RnnBackward<4, kLstmWorkspacePerUnit, lstmBackward>},
      {"gruForward", RnnForward<3, kGruWorkspacePerUnit, gruForward>},
      {"gruBackward", RnnBackward<3, kGruWorkspacePerUnit, gruBackward>},
      {"poolForward", PoolForward},
      {"maxPoolBackward", MaxPoolBackward},
      {"avgPoolBackward", AvgPoolBackward},
      {"reluGrad", ReluGrad},
      {"info", Info},
  };
  napi_property_descriptor props[sizeof(methods) / sizeof(methods[0])];
  size_t i = 0;
  for (const auto &[name, fn] : methods) props[i++] = {name, nullptr, fn, nullptr, nullptr, nullptr, napi_enumerable, nullptr};
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  defineTransformerExports(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
