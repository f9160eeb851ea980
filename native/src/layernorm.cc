#include "layernorm.h"

#include <cmath>
#include <vector>

#include "simd.h"

namespace medlens {
namespace {

// Below this many elements the OpenMP fork/join costs more than it saves.
constexpr long kParallelElems = 1L << 16;

MEDLENS_SIMD_CLONES void rowForward(long d, float eps, const float *x, const float *gamma, const float *beta, float *y, float *mean,
                                    float *rstd) {
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (long j = 0; j < d; j++) sum += x[j];
  const float mu = sum / static_cast<float>(d);
  float sq = 0.f;
#pragma omp simd reduction(+ : sq)
  for (long j = 0; j < d; j++) sq += (x[j] - mu) * (x[j] - mu);
  const float rs = 1.f / std::sqrt(sq / static_cast<float>(d) + eps);
  *mean = mu;
  *rstd = rs;
#pragma omp simd
  for (long j = 0; j < d; j++) y[j] = (x[j] - mu) * rs * gamma[j] + beta[j];
}

MEDLENS_SIMD_CLONES void rowBackward(long d, const float *dy, const float *x, const float *gamma, float mu, float rs, float *dx) {
  float sg = 0.f, sgx = 0.f;
#pragma omp simd reduction(+ : sg, sgx)
  for (long j = 0; j < d; j++) {
    const float g = dy[j] * gamma[j];
    sg += g;
    sgx += g * (x[j] - mu) * rs;
  }
  const float mg = sg / static_cast<float>(d), mgx = sgx / static_cast<float>(d);
#pragma omp simd
  for (long j = 0; j < d; j++) dx[j] = rs * (dy[j] * gamma[j] - mg - (x[j] - mu) * rs * mgx);
}

// acc[j] += dy[j] * (x[j] - mu) * rs
MEDLENS_SIMD_CLONES void rowGamma(long d, const float *dy, const float *x, float mu, float rs, double *acc) {
#pragma omp simd
  for (long j = 0; j < d; j++) acc[j] += static_cast<double>(dy[j] * (x[j] - mu) * rs);
}

}  // namespace

void layerNormForward(long rows, long d, float eps, const float *x, const float *gamma, const float *beta, float *y, float *mean,
                      float *rstd) {
#pragma omp parallel for if (rows * d >= kParallelElems)
  for (long r = 0; r < rows; r++) rowForward(d, eps, x + r * d, gamma, beta, y + r * d, mean + r, rstd + r);
}

void layerNormBackwardInput(long rows, long d, const float *dy, const float *x, const float *gamma, const float *mean,
                            const float *rstd, float *dx) {
#pragma omp parallel for if (rows * d >= kParallelElems)
  for (long r = 0; r < rows; r++) rowBackward(d, dy + r * d, x + r * d, gamma, mean[r], rstd[r], dx + r * d);
}

void layerNormBackwardGamma(long rows, long d, const float *dy, const float *x, const float *mean, const float *rstd, float *dgamma) {
  std::vector<double> acc(d, 0.0);  // double: rows may be many thousands
  for (long r = 0; r < rows; r++) rowGamma(d, dy + r * d, x + r * d, mean[r], rstd[r], acc.data());
  for (long j = 0; j < d; j++) dgamma[j] = static_cast<float>(acc[j]);
}

}  // namespace medlens
