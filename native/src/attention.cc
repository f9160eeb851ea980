#include "attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

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

// Pointers of one (batch, head) pair: token i's q at q + i * rowStride (k, v alike).
struct Head {
  const float *q, *k, *v;
  long rowStride;
};

Head headOf(const AttentionDims &a, const float *qkv, long b, long h) {
  const long d = a.heads * a.headDim;
  const float *base = qkv + b * a.tokens * 3 * d + h * a.headDim;
  return {base, base + d, base + 2 * d, 3 * d};
}

}  // namespace

void attentionForward(const AttentionDims &a, const float *qkv, float *ctx, float *probs) {
  const long n = a.tokens, hd = a.headDim, d = a.heads * hd, pairs = a.batch * a.heads;
#pragma omp parallel for if (pairs * n * n * hd >= kParallelMacs)
  for (long bh = 0; bh < pairs; bh++) {
    const long b = bh / a.heads, h = bh % a.heads;
    const Head hp = headOf(a, qkv, b, h);
    float *p = probs + bh * n * n;
    for (long i = 0; i < n; i++) {
      const float *qi = hp.q + i * hp.rowStride;
      float *pi = p + i * n;
      float mx = -INFINITY;
      for (long j = 0; j < n; j++) {
        pi[j] = dot(qi, hp.k + j * hp.rowStride, hd) * a.scale;
        mx = std::max(mx, pi[j]);
      }
      float sum = 0.f;
      for (long j = 0; j < n; j++) {
        pi[j] = std::exp(pi[j] - mx);
        sum += pi[j];
      }
      const float inv = 1.f / sum;
      float *ci = ctx + (b * n + i) * d + h * hd;
      std::fill(ci, ci + hd, 0.f);
      for (long j = 0; j < n; j++) {
        pi[j] *= inv;
        axpy(pi[j], hp.v + j * hp.rowStride, ci, hd);
      }
    }
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
      const Head hp = headOf(a, qkv, b, h);
      const Head dp = headOf(a, dqkv, b, h);
      float *dq = const_cast<float *>(dp.q), *dk = const_cast<float *>(dp.k), *dv = const_cast<float *>(dp.v);
      const float *p = probs + bh * n * n;
      const float *dc = dctx + b * n * d + h * hd;  // token i at dc + i * d
      // dP = dctx V^T (+ dprobs); dS = P * (dP - rowsum(P * dP)) * scale.
      for (long i = 0; i < n; i++) {
        const float *pi = p + i * n;
        float *dsi = ds.data() + i * n;
        float rowDot = 0.f;
        for (long j = 0; j < n; j++) {
          float g = dot(dc + i * d, hp.v + j * hp.rowStride, hd);
          if (dprobs) g += dprobs[bh * n * n + i * n + j];
          dsi[j] = g;
          rowDot += pi[j] * g;
        }
        for (long j = 0; j < n; j++) dsi[j] = pi[j] * (dsi[j] - rowDot) * a.scale;
      }
      for (long i = 0; i < n; i++) {
        // dQ_i = sum_j dS_ij K_j
        float *dqi = dq + i * dp.rowStride;
        std::fill(dqi, dqi + hd, 0.f);
        for (long j = 0; j < n; j++) axpy(ds[i * n + j], hp.k + j * hp.rowStride, dqi, hd);
      }
      for (long j = 0; j < n; j++) {
        // dK_j = sum_i dS_ij Q_i, dV_j = sum_i P_ij dctx_i
        float *dkj = dk + j * dp.rowStride, *dvj = dv + j * dp.rowStride;
        std::fill(dkj, dkj + hd, 0.f);
        std::fill(dvj, dvj + hd, 0.f);
        for (long i = 0; i < n; i++) {
          axpy(ds[i * n + j], hp.q + i * hp.rowStride, dkj, hd);
          axpy(p[i * n + j], dc + i * d, dvj, hd);
        }
      }
    }
  }
}

}  // namespace medlens
