#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

namespace medlens {
namespace {

// Merges neighbouring dimensions whose broadcast pattern is the same in every operand, so that
// e.g. [16,64,64,32] * [32] runs as [65536,32] * [1,32].
struct Collapsed {
  std::vector<long> out, a, b;
};

Collapsed collapse(int rank, const int *outShape, const int *aShape, const int *bShape) {
  Collapsed c;
  for (int i = 0; i < rank; i++) {
    if (outShape[i] == 1) continue;
    const bool ab = aShape[i] == 1, bb = bShape[i] == 1;
    if (!c.out.empty() && (c.a.back() == 1) == ab && (c.b.back() == 1) == bb) {
      c.out.back() *= outShape[i];
      c.a.back() *= aShape[i];
      c.b.back() *= bShape[i];
    } else {
      c.out.push_back(outShape[i]);
      c.a.push_back(aShape[i]);
      c.b.push_back(bShape[i]);
    }
  }
  if (c.out.empty()) c.out = c.a = c.b = {1};
  return c;
}

template <typename F, typename T>
void inner(F f, long n, const float *a, long sa, const float *b, long sb, T *o) {
  if (sa && sb) for (long i = 0; i < n; i++) o[i] = f(a[i], b[i]);
  else if (sa) { const float bv = *b; for (long i = 0; i < n; i++) o[i] = f(a[i], bv); }
  else if (sb) { const float av = *a; for (long i = 0; i < n; i++) o[i] = f(av, b[i]); }
  else { const T v = f(*a, *b); for (long i = 0; i < n; i++) o[i] = v; }
}

template <typename F, typename T>
void binaryLoop(F f, const Collapsed &c, const float *a, const float *b, T *out) {
  const int r = static_cast<int>(c.out.size());
  const long n = c.out[r - 1];
  long rows = 1;
  for (int i = 0; i < r - 1; i++) rows *= c.out[i];
  // Element strides of a and b per collapsed dimension (0 where broadcast).
  std::vector<long> sa(r), sb(r);
  long pa = 1, pb = 1;
  for (int i = r - 1; i >= 0; i--) {
    sa[i] = c.a[i] == 1 ? 0 : pa;
    sb[i] = c.b[i] == 1 ? 0 : pb;
    pa *= c.a[i];
    pb *= c.b[i];
  }
  for (long row = 0; row < rows; row++) {
    long oa = 0, ob = 0, rem = row;
    for (int i = r - 2; i >= 0; i--) {
      const long idx = rem % c.out[i];
      rem /= c.out[i];
      oa += idx * sa[i];
      ob += idx * sb[i];
    }
    inner(f, n, a + oa, sa[r - 1], b + ob, sb[r - 1], out + row * n);
  }
}

// A reduction's input as alternating kept/reduced blocks (neighbouring dims with the same flag
// merged, size-1 dims dropped): `rows` rows of length `n` (the last block), each adding into
// the output at `outOffset(row)`; the last block is reduced (`lastReduced`) or kept.
struct ReducePlan {
  std::vector<long> dims, so;
  std::vector<bool> red;
  long outSize = 1, rows = 1, n = 1;
  bool lastReduced = false;

  ReducePlan(int rank, const int *shape, const int *reduced) {
    for (int i = 0; i < rank; i++) {
      if (shape[i] == 1) continue;
      if (!dims.empty() && red.back() == (reduced[i] != 0)) dims.back() *= shape[i];
      else { dims.push_back(shape[i]); red.push_back(reduced[i] != 0); }
    }
    if (dims.empty()) { dims = {1}; red = {false}; }
    const int r = static_cast<int>(dims.size());
    so.resize(r);
    for (int i = r - 1; i >= 0; i--) {
      so[i] = red[i] ? 0 : outSize;
      if (!red[i]) outSize *= dims[i];
    }
    for (int i = 0; i < r - 1; i++) rows *= dims[i];
    n = dims[r - 1];
    lastReduced = red[r - 1];
  }

  long outOffset(long row) const {
    long oo = 0, rem = row;
    for (int i = static_cast<int>(dims.size()) - 2; i >= 0; i--) {
      oo += (rem % dims[i]) * so[i];
      rem /= dims[i];
    }
    return oo;
  }
};

// tfjs-cpu's Max/Min update: a NaN wins and stays. Starting from -inf (max) or +inf (min)
// gives the same result as tfjs' start from the first element, which the loop visits first.
template <bool IsMax>
inline float minMaxStep(float acc, float v) {
  return (std::isnan(v) || (IsMax ? v > acc : v < acc)) ? v : acc;
}

template <bool IsMax>
void reduceMinMaxLoop(const ReducePlan &plan, const float *x, float *out) {
  const float start = IsMax ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  std::fill_n(out, plan.outSize, start);
  for (long row = 0; row < plan.rows; row++) {
    const float *xr = x + row * plan.n;
    float *o = out + plan.outOffset(row);
    if (plan.lastReduced) {
      float acc = *o;
      for (long i = 0; i < plan.n; i++) acc = minMaxStep<IsMax>(acc, xr[i]);
      *o = acc;
    } else {
      for (long i = 0; i < plan.n; i++) o[i] = minMaxStep<IsMax>(o[i], xr[i]);
    }
  }
}

}  // namespace

void binary(int op, int rank, const int *outShape, const int *aShape, const int *bShape, const float *a, const float *b, float *out) {
  const Collapsed c = collapse(rank, outShape, aShape, bShape);
  switch (op) {
    case BIN_ADD: return binaryLoop([](float x, float y) { return x + y; }, c, a, b, out);
    case BIN_SUB: return binaryLoop([](float x, float y) { return x - y; }, c, a, b, out);
    case BIN_MUL: return binaryLoop([](float x, float y) { return x * y; }, c, a, b, out);
    case BIN_DIV: return binaryLoop([](float x, float y) { return x / y; }, c, a, b, out);
    case BIN_SQDIFF: return binaryLoop([](float x, float y) { return (x - y) * (x - y); }, c, a, b, out);
    // NaN propagates like tfjs-cpu (Math.max/min).
    case BIN_MAX: return binaryLoop([](float x, float y) { return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y); }, c, a, b, out);
    case BIN_MIN: return binaryLoop([](float x, float y) { return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y); }, c, a, b, out);
    default: throw std::runtime_error("unknown binary op");
  }
}

void compare(int op, int rank, const int *outShape, const int *aShape, const int *bShape, const float *a, const float *b,
             uint8_t *out) {
  const Collapsed c = collapse(rank, outShape, aShape, bShape);
  // 1 or 0 as tfjs-cpu's (a > b) ? 1 : 0 etc.: every comparison with NaN is false but !=.
  switch (op) {
    case CMP_GREATER: return binaryLoop([](float x, float y) -> uint8_t { return x > y; }, c, a, b, out);
    case CMP_GREATER_EQUAL: return binaryLoop([](float x, float y) -> uint8_t { return x >= y; }, c, a, b, out);
    case CMP_LESS: return binaryLoop([](float x, float y) -> uint8_t { return x < y; }, c, a, b, out);
    case CMP_LESS_EQUAL: return binaryLoop([](float x, float y) -> uint8_t { return x <= y; }, c, a, b, out);
    case CMP_EQUAL: return binaryLoop([](float x, float y) -> uint8_t { return x == y; }, c, a, b, out);
    case CMP_NOT_EQUAL: return binaryLoop([](float x, float y) -> uint8_t { return x != y; }, c, a, b, out);
    default: throw std::runtime_error("unknown comparison");
  }
}

void reduceSum(int rank, const int *shape, const int *reduced, float scale, const float *x, float *out) {
  const ReducePlan plan(rank, shape, reduced);
  std::vector<double> acc(plan.outSize, 0.0);  // double accumulation: long sums stay accurate
  for (long row = 0; row < plan.rows; row++) {
    const float *xr = x + row * plan.n;
    double *ar = acc.data() + plan.outOffset(row);
    if (plan.lastReduced) {
      double s = 0;
      for (long i = 0; i < plan.n; i++) s += xr[i];
      *ar += s;
    } else {
      for (long i = 0; i < plan.n; i++) ar[i] += xr[i];
    }
  }
  for (long i = 0; i < plan.outSize; i++) out[i] = static_cast<float>(acc[i] * scale);
}

void reduceMinMax(bool max, int rank, const int *shape, const int *reduced, const float *x, float *out) {
  const ReducePlan plan(rank, shape, reduced);
  if (max) reduceMinMaxLoop<true>(plan, x, out);
  else reduceMinMaxLoop<false>(plan, x, out);
}

void unary(int op, float alpha, long n, const float *x, float *y) {
  switch (op) {
    case UN_RELU: for (long i = 0; i < n; i++) y[i] = x[i] < 0.f ? 0.f : x[i]; return;
    case UN_RELU6: for (long i = 0; i < n; i++) y[i] = std::isnan(x[i]) ? x[i] : std::min(std::max(x[i], 0.f), 6.f); return;
    case UN_STEP: for (long i = 0; i < n; i++) y[i] = std::isnan(x[i]) ? NAN : (x[i] > 0.f ? 1.f : alpha); return;
    case UN_SIGMOID: for (long i = 0; i < n; i++) y[i] = 1.f / (1.f + std::exp(-x[i])); return;
    case UN_TANH: for (long i = 0; i < n; i++) y[i] = std::tanh(x[i]); return;
    case UN_EXP: for (long i = 0; i < n; i++) y[i] = std::exp(x[i]); return;
    case UN_SQUARE: for (long i = 0; i < n; i++) y[i] = x[i] * x[i]; return;
    case UN_SQRT: for (long i = 0; i < n; i++) y[i] = std::sqrt(x[i]); return;
    case UN_RSQRT: for (long i = 0; i < n; i++) y[i] = 1.f / std::sqrt(x[i]); return;
    case UN_NEG: for (long i = 0; i < n; i++) y[i] = -x[i]; return;
    case UN_ELU: for (long i = 0; i < n; i++) y[i] = x[i] >= 0.f ? x[i] : std::expm1(x[i]); return;
    case UN_LEAKYRELU: for (long i = 0; i < n; i++) y[i] = x[i] < 0.f ? alpha * x[i] : x[i]; return;
    case UN_ERF: for (long i = 0; i < n; i++) y[i] = std::erf(x[i]); return;
    case UN_ABS: for (long i = 0; i < n; i++) y[i] = std::fabs(x[i]); return;
    default: throw std::runtime_error("unknown unary op");
  }
}

void tile(int rank, const int *inShape, const int *reps, const float *x, float *out) {
  // Output rows (all dims but the last) map to input rows by index modulo the input shape.
  long rows = 1;
  for (int i = 0; i < rank - 1; i++) rows *= static_cast<long>(inShape[i]) * reps[i];
  const long inner = inShape[rank - 1], outInner = inner * reps[rank - 1];
  for (long row = 0; row < rows; row++) {
    long rem = row, inRow = 0, stride = 1;
    for (int i = rank - 2; i >= 0; i--) {
      const long outDim = static_cast<long>(inShape[i]) * reps[i];
      inRow += ((rem % outDim) % inShape[i]) * stride;
      rem /= outDim;
      stride *= inShape[i];
    }
    float *o = out + row * outInner;
    for (long r = 0; r < reps[rank - 1]; r++) std::memcpy(o + r * inner, x + inRow * inner, sizeof(float) * inner);
  }
}

void batchNorm(long n, long c, const float *x, const float *mean, const float *var, const float *offset, const float *scale,
               float eps, float *y) {
  std::vector<float> mul(c), add(c);
  for (long j = 0; j < c; j++) {
    mul[j] = (scale ? scale[j] : 1.f) / std::sqrt(var[j] + eps);
    add[j] = (offset ? offset[j] : 0.f) - mean[j] * mul[j];
  }
  for (long i = 0; i < n; i += c) {
    for (long j = 0; j < c; j++) y[i + j] = x[i + j] * mul[j] + add[j];
  }
}

void transpose(int rank, const int *shape, const int *perm, const float *x, float *out) {
  // Input strides, then merge output dims that are also consecutive in the input.
  std::vector<long> inStride(rank);
  long st = 1;
  for (int i = rank - 1; i >= 0; i--) { inStride[i] = st; st *= shape[i]; }
  std::vector<long> dims, strides;  // output-order dims and their input strides
  for (int i = 0; i < rank; i++) {
    const long d = shape[perm[i]], s = inStride[perm[i]];
    if (d == 1) continue;
    if (!dims.empty() && strides.back() == s * d) { dims.back() *= d; strides.back() = s; }
    else { dims.push_back(d); strides.push_back(s); }
  }
  if (dims.empty()) { out[0] = x[0]; return; }
  const int r = static_cast<int>(dims.size());
  const long n = dims[r - 1], sn = strides[r - 1];
  long rows = 1;
  for (int i = 0; i < r - 1; i++) rows *= dims[i];
  std::vector<long> idx(r, 0);
  long off = 0;
  for (long row = 0; row < rows; row++) {
    float *o = out + row * n;
    if (sn == 1) std::memcpy(o, x + off, sizeof(float) * n);
    else for (long j = 0; j < n; j++) o[j] = x[off + j * sn];
    // Odometer increment over the outer output dims.
    for (int i = r - 2; i >= 0; i--) {
      off += strides[i];
      if (++idx[i] < dims[i]) break;
      off -= strides[i] * dims[i];
      idx[i] = 0;
    }
  }
}

void copyBlock(int rank, const int *srcShape, const int *srcOff, const int *dstShape, const int *dstOff, const int *block,
               const float *src, float *dst) {
  std::vector<long> ss(srcShape, srcShape + rank), so(srcOff, srcOff + rank), ds(dstShape, dstShape + rank),
      dof(dstOff, dstOff + rank), bs(block, block + rank);
  // Trailing dims copied whole in both arrays merge into one contiguous run.
  while (ss.size() > 1 && bs.back() == ss.back() && bs.back() == ds.back()) {
    const size_t r = ss.size();
    so[r - 2] *= ss[r - 1]; dof[r - 2] *= ds[r - 1];
    ss[r - 2] *= ss[r - 1]; ds[r - 2] *= ds[r - 1]; bs[r - 2] *= bs[r - 1];
    ss.pop_back(); so.pop_back(); ds.pop_back(); dof.pop_back(); bs.pop_back();
  }
  const int r = static_cast<int>(ss.size());
  for (int i = 0; i < r; i++) if (bs[i] == 0) return;
  std::vector<long> sst(r), dst_(r);
  long a = 1, b = 1;
  for (int i = r - 1; i >= 0; i--) { sst[i] = a; dst_[i] = b; a *= ss[i]; b *= ds[i]; }
  long rows = 1;
  for (int i = 0; i < r - 1; i++) rows *= bs[i];
  std::vector<long> idx(r, 0);
  for (long row = 0; row < rows; row++) {
    long sOff = 0, dOff = 0;
    for (int i = 0; i < r; i++) {
      const long k = i < r - 1 ? idx[i] : 0;
      sOff += (so[i] + k) * sst[i];
      dOff += (dof[i] + k) * dst_[i];
    }
    std::memcpy(dst + dOff, src + sOff, sizeof(float) * bs[r - 1]);
    for (int i = r - 2; i >= 0; i--) {
      if (++idx[i] < bs[i]) break;
      idx[i] = 0;
    }
  }
}

void softmax(long rows, long n, const float *x, float *y) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * n;
    float *yr = y + r * n;
    float mx = -std::numeric_limits<float>::infinity();
    for (long j = 0; j < n; j++) mx = std::max(mx, xr[j]);
    double sum = 0;
    for (long j = 0; j < n; j++) { yr[j] = std::exp(xr[j] - mx); sum += yr[j]; }
    const float inv = static_cast<float>(1.0 / sum);
    for (long j = 0; j < n; j++) yr[j] *= inv;
  }
}

}  // namespace medlens
