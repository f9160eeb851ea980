// Argument checking shared by the N-API entry points of the addon (the *_napi.cc files): every
// entry point checks typed-array types and lengths against the shape parameters before C++
// touches memory, and turns C++ exceptions into JS errors. Written against Node's C API
// (node_api.h, shipped with Node's headers) so the build needs no npm package.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <oneapi/dnnl/dnnl.hpp>

#include "elementwise.h"

namespace medlens {

// A bad argument from JS (wrong type, length or shape parameter).
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(napi_status status) {
  if (status != napi_ok) throw ArgError("N-API call failed");
}

// The data of typed array `v` of element type `want` and `wantLen` elements (SIZE_MAX: any; the
// length then goes to `gotLen`); null for JS null/undefined when `nullable`.
template <typename T>
T *typedArray(napi_env env, napi_value v, napi_typedarray_type want, size_t wantLen, const char *name, bool nullable = false,
              size_t *gotLen = nullptr) {
  napi_valuetype vt;
  check(napi_typeof(env, v, &vt));
  if (gotLen) *gotLen = 0;
  if (nullable && (vt == napi_null || vt == napi_undefined)) return nullptr;
  bool is = false;
  check(napi_is_typedarray(env, v, &is));
  if (!is) throw ArgError(std::string(name) + " must be a typed array");
  napi_typedarray_type type;
  size_t len;
  void *data;
  check(napi_get_typedarray_info(env, v, &type, &len, &data, nullptr, nullptr));
  if (type != want) throw ArgError(std::string(name) + " has the wrong element type");
  if (wantLen != SIZE_MAX && len != wantLen)
    throw ArgError(std::string(name) + " has " + std::to_string(len) + " elements, expected " + std::to_string(wantLen));
  if (gotLen) *gotLen = len;
  return static_cast<T *>(data);
}

// An Int32Array of exactly `count` shape parameters.
inline const int *params(napi_env env, napi_value v, size_t count) {
  return typedArray<int>(env, v, napi_int32_array, count, "params");
}

// A Float32Array of exactly `len` elements (null allowed when `nullable`).
inline float *f32(napi_env env, napi_value v, size_t len, const char *name, bool nullable = false) {
  return typedArray<float>(env, v, napi_float32_array, len, name, nullable);
}

// A Uint8Array (tfjs' bool data) of exactly `len` elements.
inline uint8_t *u8(napi_env env, napi_value v, size_t len, const char *name) {
  return typedArray<uint8_t>(env, v, napi_uint8_array, len, name);
}

// A Float32Array of any length (at least one unless `allowEmpty`); its element count goes to `len`.
inline float *f32Any(napi_env env, napi_value v, const char *name, size_t &len, bool allowEmpty = true) {
  float *p = typedArray<float>(env, v, napi_float32_array, SIZE_MAX, name, false, &len);
  if (!allowEmpty && len == 0) throw ArgError(std::string(name) + " is empty");
  return p;
}

inline double number(napi_env env, napi_value v) {
  double d;
  check(napi_get_value_double(env, v, &d));
  return d;
}

inline napi_value boolean(napi_env env, bool b) {
  napi_value v;
  check(napi_get_boolean(env, b, &v));
  return v;
}

// Product of dimensions that must all be positive.
inline size_t prod(std::initializer_list<int> dims) {
  size_t n = 1;
  for (int d : dims) {
    if (d <= 0) throw ArgError("non-positive dimension");
    n *= static_cast<size_t>(d);
  }
  return n;
}

// Product of the n dimensions at `dims` (zero allowed, negative not).
inline size_t prodOf(const int *dims, int n) {
  size_t s = 1;
  for (int i = 0; i < n; i++) {
    if (dims[i] < 0) throw ArgError("negative dimension");
    s *= static_cast<size_t>(dims[i]);
  }
  return s;
}

// Params [rank, then `perRank` arrays of `rank` ints] (rank <= kMaxRank, elementwise.h); the rank goes to `rank`.
inline const int *rankedParams(napi_env env, napi_value v, int perRank, int &rank) {
  size_t len;
  const int *p = typedArray<int>(env, v, napi_int32_array, SIZE_MAX, "params", false, &len);
  if (len < 2) throw ArgError("params too short");
  rank = p[0];
  if (rank < 1 || rank > kMaxRank || len != static_cast<size_t>(1 + perRank * rank)) throw ArgError("bad rank in params");
  return p;
}

// Runs `body` with the call's N arguments, turning C++ exceptions into JS errors (oneDNN's with
// code ONEDNN). `body` returns the call's result, or nothing (undefined).
template <size_t N, typename F>
napi_value wrap(napi_env env, napi_callback_info info, F body) {
  size_t argc = N;
  napi_value argv[N > 0 ? N : 1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != N) {
    napi_throw_type_error(env, nullptr, ("expected " + std::to_string(N) + " arguments").c_str());
    return nullptr;
  }
  try {
    if constexpr (std::is_void_v<decltype(body(argv))>) body(argv);
    else return body(argv);
  } catch (const dnnl::error &e) {
    napi_throw_error(env, "ONEDNN", (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

// Adds the named functions to `exports`.
inline void defineMethods(napi_env env, napi_value exports, std::initializer_list<std::pair<const char *, napi_callback>> methods) {
  for (const auto &[name, fn] : methods) {
    const napi_property_descriptor prop = {name, nullptr, fn, nullptr, nullptr, nullptr, napi_enumerable, nullptr};
    check(napi_define_properties(env, exports, 1, &prop));
  }
}

}  // namespace medlens
