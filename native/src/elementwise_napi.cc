// N-API entry points of the elementwise, reduction and data-movement kernels (elementwise.h).
#include "activation.h"
#include "elementwise.h"
#include "napi_exports.h"
#include "napi_util.h"

namespace medlens {
namespace {

// Checked broadcast params [rank, outShape, aShape, bShape] of binary / compare and the
// element counts of a, b and out.
struct Broadcast {
  int rank;
  const int *out, *a, *b;
  size_t outLen, aLen, bLen;
};

Broadcast broadcastParams(napi_env env, napi_value v) {
  int r;
  const int *p = rankedParams(env, v, 3, r);
  const int *out = p + 1, *as = p + 1 + r, *bs = p + 1 + 2 * r;
  for (int i = 0; i < r; i++) {
    if ((as[i] != out[i] && as[i] != 1) || (bs[i] != out[i] && bs[i] != 1)) throw ArgError("shapes do not broadcast");
  }
  return {r, out, as, bs, prodOf(out, r), prodOf(as, r), prodOf(bs, r)};
}

// binary(op, params=[rank, outShape, aShape, bShape], a, b, out)
napi_value Binary(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) {
    const Broadcast g = broadcastParams(env, a[1]);
    binary(static_cast<int>(number(env, a[0])), g.rank, g.out, g.a, g.b, f32(env, a[2], g.aLen, "a"), f32(env, a[3], g.bLen, "b"),
           f32(env, a[4], g.outLen, "out"));
  });
}

// compare(op, params=[rank, outShape, aShape, bShape], a, b, out: Uint8Array)
napi_value Compare(napi_env env, napi_callback_info info) {
  return wrap<5>(env, info, [&](napi_value *a) {
    const Broadcast g = broadcastParams(env, a[1]);
    compare(static_cast<int>(number(env, a[0])), g.rank, g.out, g.a, g.b, f32(env, a[2], g.aLen, "a"), f32(env, a[3], g.bLen, "b"),
            u8(env, a[4], g.outLen, "out"));
  });
}

// Checked reduce params [rank, shape, reducedFlags] and the element counts of x and out.
struct Reduce {
  int rank;
  const int *shape, *flags;
  size_t xLen, outLen;
};

Reduce reduceParams(napi_env env, napi_value v) {
  int r;
  const int *p = rankedParams(env, v, 2, r);
  const int *shape = p + 1, *flags = p + 1 + r;
  size_t outLen = 1;
  for (int i = 0; i < r; i++) if (!flags[i]) outLen *= static_cast<size_t>(shape[i]);
  return {r, shape, flags, prodOf(shape, r), outLen};
}

// reduceSum(params=[rank, shape, reducedFlags], scale, x, out)
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    const Reduce g = reduceParams(env, a[0]);
    reduceSum(g.rank, g.shape, g.flags, static_cast<float>(number(env, a[1])), f32(env, a[2], g.xLen, "x"), f32(env, a[3], g.outLen, "out"));
  });
}

// reduceMinMax(isMax, params=[rank, shape, reducedFlags], x, out)
napi_value ReduceMinMax(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    const Reduce g = reduceParams(env, a[1]);
    reduceMinMax(number(env, a[0]) != 0, g.rank, g.shape, g.flags, f32(env, a[2], g.xLen, "x"), f32(env, a[3], g.outLen, "out"));
  });
}

// unary(op, alpha, x, y)
napi_value Unary(napi_env env, napi_callback_info info) {
  return wrap<4>(env, info, [&](napi_value *a) {
    size_t n;
    float *x = f32Any(env, a[2], "x", n);
    unary(static_cast<int>(number(env, a[0])), static_cast<float>(number(env, a[1])), static_cast<long>(n), x, f32(env, a[3], n, "y"));
  });
}

// tile(params=[rank, inShape, reps], x, out)
napi_value Tile(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    int r;
    const int *p = rankedParams(env, a[0], 2, r);
    size_t outLen = prodOf(p + 1, r) * prodOf(p + 1 + r, r);
    tile(r, p + 1, p + 1 + r, f32(env, a[1], prodOf(p + 1, r), "x"), f32(env, a[2], outLen, "out"));
  });
}

// transpose(params=[rank, shape, perm], x, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
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
  });
}

// copyBlock(params=[rank, srcShape, srcOff, dstShape, dstOff, block], src, dst)
napi_value CopyBlock(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    int r;
    const int *p = rankedParams(env, a[0], 5, r);
    const int *ss = p + 1, *so = p + 1 + r, *ds = p + 1 + 2 * r, *dof = p + 1 + 3 * r, *bs = p + 1 + 4 * r;
    for (int i = 0; i < r; i++) {
      if (so[i] < 0 || dof[i] < 0 || bs[i] < 0 || so[i] + bs[i] > ss[i] || dof[i] + bs[i] > ds[i]) throw ArgError("block out of bounds");
    }
    copyBlock(r, ss, so, ds, dof, bs, f32(env, a[1], prodOf(ss, r), "src"), f32(env, a[2], prodOf(ds, r), "dst"));
  });
}

// softmax(rowLength, x, y)
napi_value Softmax(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    const double n = number(env, a[0]);
    size_t len;
    float *x = f32Any(env, a[1], "x", len);
    if (n < 1 || len % static_cast<size_t>(n)) throw ArgError("x size is not a multiple of the row length");
    softmax(static_cast<long>(len / static_cast<size_t>(n)), static_cast<long>(n), x, f32(env, a[2], len, "y"));
  });
}

// reluGrad(dy, x, dx)
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  return wrap<3>(env, info, [&](napi_value *a) {
    size_t n;
    const float *dy = f32Any(env, a[0], "dy", n);
    reluGrad(static_cast<long>(n), dy, f32(env, a[1], n, "x"), f32(env, a[2], n, "dx"));
  });
}

}  // namespace

void defineElementwiseExports(napi_env env, napi_value exports) {
  defineMethods(env, exports,
                {{"binary", Binary}, {"compare", Compare}, {"reduceSum", ReduceSum}, {"reduceMinMax", ReduceMinMax}, {"unary", Unary},
                 {"tile", Tile}, {"transpose", Transpose}, {"copyBlock", CopyBlock}, {"softmax", Softmax}, {"reluGrad", ReluGrad}});
}

}  // namespace medlens
