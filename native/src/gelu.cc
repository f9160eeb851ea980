#include "gelu.h"

#include <cmath>

namespace medlens {
namespace {

constexpr long kParallelElems = 1L << 16;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

}  // namespace

void geluForward(long n, const float *x, float *y) {
#pragma omp parallel for if (n >= kParallelElems)
  for (long i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.f + std::erf(x[i] * kInvSqrt2));
}

void geluBackward(long n, const float *dy, const float *x, float *dx) {
#pragma omp parallel for if (n >= kParallelElems)
  for (long i = 0; i < n; i++) {
    const float v = x[i];
    const float cdf = 0.5f * (1.f + std::erf(v * kInvSqrt2));
    dx[i] = dy[i] * (cdf + v * kInvSqrt2Pi * std::exp(-0.5f * v * v));
  }
}

}  // namespace medlens
