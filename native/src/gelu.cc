#include "simd.h"  // first: sets the vectorisation options
#include "gelu.h"

#include <algorithm>

namespace medlens {
namespace {

constexpr long kParallelElems = 1L << 16;
constexpr long kChunk = 1L << 12;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

MEDLENS_SIMD_CLONES void geluChunk(long n, const float *x, float *y) {
#pragma omp simd
  for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.f + erfRational(x[i] * kInvSqrt2));
}

MEDLENS_SIMD_CLONES void geluGradChunk(long n, const float *dy, const float *x, float *dx) {
#pragma omp simd
  for (long i = 0; i < n; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.f + erfRational(v * kInvSqrt2));
    dx[i] = dy[i] * (cdf + v * kInvSqrt2Pi * expNonPositive(-0.5f * v * v));
  }
}

}  // namespace

void geluForward(long n, const float *x, float *y) {
#pragma omp parallel for if (n >= kParallelElems)
  for (long i = 0; i < n; i += kChunk) geluChunk(std::min(kChunk, n - i), x + i, y + i);
}

void geluBackward(long n, const float *dy, const float *x, float *dx) {
#pragma omp parallel for if (n >= kParallelElems)
  for (long i = 0; i < n; i += kChunk) geluGradChunk(std::min(kChunk, n - i), dy + i, x + i, dx + i);
}

}  // namespace medlens
