// Every function checks buffer lengths against the sizes it derives before touching memory.
#include "transformer_napi.h"

#include <stdexcept>
#include <string>

#include "attention.h"
#include "gelu.h"
#include "layernorm.h"

namespace medlens {
namespace {

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_status status) {
  if (status != napi_ok) throw ArgError("N-API call failed");
}

// A typed array of element type `want` (null allowed when `nullable`); its length goes to `len`.
template <typename T>
T *typed(napi_env env, napi_value v, napi_typedarray_type want, const char *name, size_t &len, bool nullable = false) {
  napi_valuetype vt;
  check(napi_typeof(env, v, &vt));
  len = 0;
  if (nullable && (vt == napi_null || vt == napi_undefined)) return nullptr;
  bool is = false;
  check(napi_is_typedarray(env, v, &is));
  if (!is) throw ArgError(std::string(name) + " must be a typed array");
  napi_typedarray_type type;
  void *data;
  check(napi_get_typedarray_info(env, v, &type, &len, &data, nullptr, nullptr));
  if (type != want) throw ArgError(std::string(name) + " has the wrong element type");
  return static_cast<T *>(data);
}

// A Float32Array of exactly `want` elements.
float *f32(napi_env env, napi_value v, size_t want, const char *name, bool nullable = false) {
  size_t len;
  float *p = typed<float>(env, v, napi_float32_array, name, len, nullable);
  if (p && len != want) throw ArgError(std::string(name) + " has " + std::to_string(len) + " elements, expected " + std::to_string(want));
  return p;
}

// A Float32Array of any length (at least one element); the length goes to `len`.
float *f32Any(napi_env env, napi_value v, const char *name, size_t &len) {
  float *p = typed<float>(env, v, napi_float32_array, name, len);
  if (len == 0) throw ArgError(std::string(name) + " is empty");
  return p;
}

double number(napi_env env, napi_value v) {
  double d;
  check(napi_get_value_double(env, v, &d));
  return d;
}

// Runs `body` with the call's N arguments, turning C++ exceptions into JS errors.
template <size_t N, typename F>
napi_value wrap(napi_env env, napi_callback_info info, F body) {
  size_t argc = N;
  napi_value argv[N];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != N) {
    napi_throw_type_error(env, nullptr, ("expected " + std::to_string(N) + " arguments").c_str());
    return nullptr;
  }
  try {
    body(argv);
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

// Rows and row length of a [rows, d] buffer whose rows come from `perRow` (length rows) and d
// from `perCol` (length d).
struct RowShape {
  size_t rows, d;
};

RowShape rowShape(napi_env env, napi_value perRow, napi_value perCol, const char *rowName, const char *colName) {
  size_t rows, d;
  f32Any(env, perRow, rowName, rows);
  f32Any(env, perCol, colName, d);
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
    const float *x = f32Any(env, a[0], "x", n);
    geluForward(static_cast<long>(n), x, f32(env, a[1], n, "y"));
  });
}

// geluGrad(dy, x, dx)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    size_t n;
    const float *x = f32Any(env, a[1], "x", n);
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
  const int *p = typed<int>(env, params, napi_int32_array, "params", len);
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
  const napi_property_descriptor props[] = {
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"layerNormGradInput", nullptr, LayerNormGradInput, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"layerNormGradGamma", nullptr, LayerNormGradGamma, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gelu", nullptr, Gelu, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"geluGrad", nullptr, GeluGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"attention", nullptr, Attention, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"attentionGrad", nullptr, AttentionGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace medlens
