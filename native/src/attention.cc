#include "attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "simd.h"

namespace medlens {
namespace {

// Below this many multiply-adds in all heads together one thread does it all.
constexpr long kParallelMacs = 1L << 18;

inline float dot(const float *a, const float *b, long n) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (long i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

// y += alpha * x
inline void axpy(float alpha, const float *x, float *y, long n) {
#pragma omp simd
  for (long i = 0; i < n; i++) y[i] += alpha * x[i];
}

// One (batch, head) pair: token i's q at q + i * stride (k, v alike), its context or context
// gradient at c + i * cStride, probabilities p [N, N].
struct Head {
  const float *q, *k, *v;
  long stride;
  long n, hd;
  float scale;
};

Head headOf(const AttentionDims &a, const float *qkv, long bh) {
  const long d = a.heads * a.headDim, b = bh / a.heads, h = bh % a.heads;
  const float *base = qkv + b * a.tokens * 3 * d + h * a.headDim;
  return {base, base + d, base + 2 * d, 3 * d, a.tokens, a.headDim, a.scale};
}

MEDLENS_SIMD_CLONES void headForward(const Head &h, float *p, float *c, long cStride) {
  const long n = h.n, hd = h.hd;
  for (long i = 0; i < n; i++) {
    const float *qi = h.q + i * h.stride;
    float *pi = p + i * n;
    for (long j = 0; j < n; j++) pi[j] = dot(qi, h.k + j * h.stride, hd) * h.scale;
    float mx = pi[0];
    for (long j = 1; j < n; j++) mx = std::max(mx, pi[j]);
    float sum = 0.f;
#pragma omp simd reduction(+ : sum)
    for (long j = 0; j < n; j++) {
      pi[j] = expNonPositive(pi[j] - mx);
      sum += pi[j];
    }
    const float inv = 1.f / sum;
    float *ci = c + i * cStride;
    std::fill(ci, ci + hd, 0.f);
    for (long j = 0; j < n; j++) {
      pi[j] *= inv;
      axpy(pi[j], h.v + j * h.stride, ci, hd);
    }
  }
}

// dS (scratch [N, N]) then dq, dk, dv of one head (written, not accumulated) at dq/dk/dv +
// i * h.stride, from the probabilities p, the context gradient dc (token i at dc + i * dcStride)
// and, when not null, the probabilities' own gradient dp.
MEDLENS_SIMD_CLONES void headBackward(const Head &h, const float *p, const float *dc, long dcStride, const float *dp, float *ds,
                                      float *dq, float *dk, float *dv) {
  const long n = h.n, hd = h.hd;
  // dP = dctx V^T (+ dprobs); dS = P * (dP - rowsum(P * dP)) * scale.
  for (long i = 0; i < n; i++) {
    const float *pi = p + i * n;
    float *dsi = ds + i * n;
    for (long j = 0; j < n; j++) dsi[j] = dot(dc + i * dcStride, h.v + j * h.stride, hd);
    if (dp) for (long j = 0; j < n; j++) dsi[j] += dp[i * n + j];
    const float rowDot = dot(pi, dsi, n);
#pragma omp simd
    for (long j = 0; j < n; j++) dsi[j] = pi[j] * (dsi[j] - rowDot) * h.scale;
  }
  for (long i = 0; i < n; i++) {
    // dQ_i = sum_j dS_ij K_j
    float *dqi = dq + i * h.stride;
    std::fill(dqi, dqi + hd, 0.f);
    for (long j = 0; j < n; j++) axpy(ds[i * n + j], h.k + j * h.stride, dqi, hd);
  }
  for (long j = 0; j < n; j++) {
    // dK_j = sum_i dS_ij Q_i, dV_j = sum_i P_ij dctx_i
    float *dkj = dk + j * h.stride, *dvj = dv + j * h.stride;
    std::fill(dkj, dkj + hd, 0.f);
    std::fill(dvj, dvj + hd, 0.f);
    for (long i = 0; i < n; i++) {
      axpy(ds[i * n + j], h.q + i * h.stride, dkj, hd);
      axpy(p[i * n + j], dc + i * dcStride, dvj, hd);
    }
  }
}

}  // namespace

void attentionForward(const AttentionDims &a, const float *qkv, float *ctx, float *probs) {
  const long n = a.tokens, hd = a.headDim, d = a.heads * hd, pairs = a.batch * a.heads;
#pragma omp parallel for if (pairs * n * n * hd >= kParallelMacs)
  for (long bh = 0; bh < pairs; bh++) {
    const long b = bh / a.heads, h = bh % a.heads;
    headForward(headOf(a, qkv, bh), probs + bh * n * n, ctx + b * n * d + h * hd, d);
  }
}

void attentionBackward(const AttentionDims &a, const float *qkv, const float *probs, const float *dctx, const float *dprobs,
                       float *dqkv) {
  const long n = a.tokens, hd = a.headDim, d = a.heads * hd, pairs = a.batch * a.heads;
#pragma omp parallel if (pairs * n * n * hd >= kParallelMacs)
  {
    std::vector<float> ds(n * n);  // gradient of the scaled scores, per thread
#pragma omp for
    for (long bh = 0; bh < pairs; bh++) {
      const long b = bh / a.heads, h = bh % a.heads;
      const Head grad = headOf(a, dqkv, bh);  // same layout as qkv
      headBackward(headOf(a, qkv, bh), probs + bh * n * n, dctx + b * n * d + h * hd, d, dprobs ? dprobs + bh * n * n : nullptr,
                   ds.data(), const_cast<float *>(grad.q), const_cast<float *>(grad.k), const_cast<float *>(grad.v));
    }
  }
}

}  // namespace medlens
