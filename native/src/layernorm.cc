#include "layernorm.h"

#include <cmath>
#include <vector>

namespace medlens {
namespace {

// Below this many elements the OpenMP fork/join costs more than it saves.
constexpr long kParallelElems = 1L << 16;

}  // namespace

void layerNormForward(long rows, long d, float eps, const float *x, const float *gamma, const float *beta, float *y, float *mean,
                      float *rstd) {
#pragma omp parallel for if (rows * d >= kParallelElems)
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d;
    float *yr = y + r * d;
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (long j = 0; j < d; j++) sum += xr[j];
    const float mu = sum / static_cast<float>(d);
    float sq = 0.f;
#pragma omp simd reduction(+ : sq)
    for (long j = 0; j < d; j++) sq += (xr[j] - mu) * (xr[j] - mu);
    const float rs = 1.f / std::sqrt(sq / static_cast<float>(d) + eps);
    mean[r] = mu;
    rstd[r] = rs;
#pragma omp simd
    for (long j = 0; j < d; j++) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
  }
}

void layerNormBackwardInput(long rows, long d, const float *dy, const float *x, const float *gamma, const float *mean,
                            const float *rstd, float *dx) {
#pragma omp parallel for if (rows * d >= kParallelElems)
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d, *dyr = dy + r * d;
    float *dxr = dx + r * d;
    const float mu = mean[r], rs = rstd[r];
    float sg = 0.f, sgx = 0.f;
#pragma omp simd reduction(+ : sg, sgx)
    for (long j = 0; j < d; j++) {
      const float g = dyr[j] * gamma[j];
      sg += g;
      sgx += g * (xr[j] - mu) * rs;
    }
    const float mg = sg / static_cast<float>(d), mgx = sgx / static_cast<float>(d);
#pragma omp simd
    for (long j = 0; j < d; j++) dxr[j] = rs * (dyr[j] * gamma[j] - mg - (xr[j] - mu) * rs * mgx);
  }
}

void layerNormBackwardGamma(long rows, long d, const float *dy, const float *x, const float *mean, const float *rstd, float *dgamma) {
  std::vector<double> acc(d, 0.0);  // double: rows may be many thousands
  std::vector<float> term(d);
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * d, *dyr = dy + r * d;
    const float mu = mean[r], rs = rstd[r];
#pragma omp simd
    for (long j = 0; j < d; j++) term[j] = dyr[j] * (xr[j] - mu) * rs;
    for (long j = 0; j < d; j++) acc[j] += term[j];
  }
  for (long j = 0; j < d; j++) dgamma[j] = static_cast<float>(acc[j]);
}

}  // namespace medlens
