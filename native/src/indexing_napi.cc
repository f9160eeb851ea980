// N-API entry points of select, dtype conversion, isFinite, gather and bilinear resizing
// (indexing.h).
#include "indexing.h"
#include "napi_exports.h"
#include "napi_util.h"

namespace medlens {
namespace {

// select(cond: Uint8Array, t, e, out): one condition byte per element
napi_value Select(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    size_t n;
    const float *t = f32Any(env, a[1], "t", n);
    select(static_cast<long>(n), u8(env, a[0], n, "condition"), t, f32(env, a[2], n, "e"), f32(env, a[3], n, "out"));
  });
}

// Element type code (indexing.h ElementType), data and length of a Float32Array, Int32Array or
// Uint8Array.
int elementArray(napi_env env, napi_value v, const char *name, void *&data, size_t &len) {
  bool is = false;
  check(napi_is_typedarray(env, v, &is));
  if (!is) throw ArgError(std::string(name) + " must be a typed array");
  napi_typedarray_type type;
  check(napi_get_typedarray_info(env, v, &type, &len, &data, nullptr, nullptr));
  switch (type) {
    case napi_float32_array: return EL_FLOAT32;
    case napi_int32_array: return EL_INT32;
    case napi_uint8_array: return EL_BOOL;
    default: throw ArgError(std::string(name) + " has the wrong element type");
  }
}

// convert(src, dst): same lengths; Float32Array / Int32Array / Uint8Array (bool) each way.
napi_value Convert(napi_env env, napi_callback_info info) {
  return wrap<2>(env, info, [&](napi_value *a) {
    void *src, *dst;
    size_t n, m;
    const int st = elementArray(env, a[0], "src", src, n), dt = elementArray(env, a[1], "dst", dst, m);
    if (n != m) throw ArgError("dst has " + std::to_string(m) + " elements, expected " + std::to_string(n));
    convert(static_cast<long>(n), st, src, dt, dst);
  });
}

// isFinite(x, out: Uint8Array)
napi_value IsFinite(napi_env env, napi_callback_info info) {
  return wrap<2>(env, info, [&](napi_value *a) {
    size_t n;
    const float *x = f32Any(env, a[0], "x", n);
    isFinite(static_cast<long>(n), x, u8(env, a[1], n, "out"));
  });
}

// gather(params=[outer, axisDim, inner], x, indices: Int32Array, out)
napi_value Gather(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    const int *p = params(env, a[0], 3);
    const size_t xLen = prodOf(p, 3);
    size_t n;
    const int32_t *idx = typedArray<int32_t>(env, a[2], napi_int32_array, SIZE_MAX, "indices", false, &n);
    gather(p[0], p[1], p[2], f32(env, a[1], xLen, "x"), static_cast<long>(n), idx,
           f32(env, a[3], static_cast<size_t>(p[0]) * n * static_cast<size_t>(p[2]), "out"));
  });
}

// Checked ResizeParam array and the element counts of x [N, H, W, C] and y [N, OH, OW, C].
struct Resize {
  const int *p;
  size_t xLen, yLen;
};

Resize resizeParams(napi_env env, napi_value v) {
  const int *p = params(env, v, RZ_COUNT);
  return {p, prod({p[RZ_N], p[RZ_H], p[RZ_W], p[RZ_C]}), prod({p[RZ_N], p[RZ_OH], p[RZ_OW], p[RZ_C]})};
}

// resizeBilinear(params, x, y)
napi_value ResizeBilinear(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    const Resize g = resizeParams(env, a[0]);
    resizeBilinear(g.p, f32(env, a[1], g.xLen, "x"), f32(env, a[2], g.yLen, "y"));
  });
}

// resizeBilinearGrad(params, dy, dx)
napi_value ResizeBilinearGrad(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    const Resize g = resizeParams(env, a[0]);
    resizeBilinearGrad(g.p, f32(env, a[1], g.yLen, "dy"), f32(env, a[2], g.xLen, "dx"));
  });
}

}  // namespace

void defineIndexingExports(napi_env env, napi_value exports) {
  defineMethods(env, exports,
                {{"select", Select}, {"convert", Convert}, {"isFinite", IsFinite}, {"gather", Gather},
                 {"resizeBilinear", ResizeBilinear}, {"resizeBilinearGrad", ResizeBilinearGrad}});
}

}  // namespace medlens
