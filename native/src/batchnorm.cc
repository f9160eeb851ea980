#include "batchnorm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medlens {
namespace {

// Below this many elements one thread is as fast as two (the loops are memory-bound) and waking
// the passive OpenMP team costs more than it saves (measured: 2x slower at resnet18@64 sizes
// on a busy 2-core machine).
constexpr long kParallelMin = 1 << 21;

// Loops walk the data in "groups" of k whole rows (width w = k * c, at least 64 for few
// channels) so that the inner loop is long and contiguous and vectorises whatever c is;
// per-channel constants are repeated across the group width.
struct Groups {
  long w, count, tail;  // group width, whole groups, leftover elements (a multiple of c)
  Groups(long n, long c) : w(c >= 64 ? c : (64 / c) * c), count(n / w), tail(n - (n / w) * w) {}
};

int threadsFor(long n) { return n >= kParallelMin ? omp_get_max_threads() : 1; }

// v repeated to width w: out[j] = v[j % c].
std::vector<float> repeated(const float *v, long c, long w) {
  std::vector<float> out(w);
  for (long j = 0; j < w; j++) out[j] = v[j % c];
  return out;
}

// The hot loops are compiled for AVX-512 and AVX2 too (picked at load time): the addon is built
// for baseline x86-64, where these memory-bound loops ran ~3x slower than oneDNN's JIT.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define MEDLENS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MEDLENS_CLONES
#endif

// Groups summed in float before their sums go into the double totals.
constexpr long kFloatBlock = 16;

// Adds, for `count` groups of width w starting at x (and dy), to d1/d2: forward (dy null)
// u and u*u, backward dy and dy*u, where u = x - rep. f1/f2 are w floats of scratch.
MEDLENS_CLONES void groupSums(const float *x, const float *dy, const float *rep, long count, long w, float *f1, float *f2,
                              double *d1, double *d2) {
  for (long b = 0; b < count; b += kFloatBlock) {
    const long e = std::min(count, b + kFloatBlock);
    std::fill(f1, f1 + w, 0.f);
    std::fill(f2, f2 + w, 0.f);
    for (long g = b; g < e; g++) {
      const float *xr = x + g * w;
      if (dy) {
        const float *dr = dy + g * w;
        for (long j = 0; j < w; j++) {
          f1[j] += dr[j];
          f2[j] += dr[j] * (xr[j] - rep[j]);
        }
      } else {
        for (long j = 0; j < w; j++) {
          const float u = xr[j] - rep[j];
          f1[j] += u;
          f2[j] += u * u;
        }
      }
    }
    for (long j = 0; j < w; j++) {
      d1[j] += f1[j];
      d2[j] += f2[j];
    }
  }
}

// Per-channel sums over all rows, in double: with dy null s1 = sum(u), s2 = sum(u * u) for
// u = x - center (forward statistics about a shift); with dy s1 = sum(dy), s2 = sum(dy * u)
// (backward). Threads sum disjoint row ranges; partials add in thread order.
void channelSums(long n, long c, const float *x, const float *dy, const float *center, double *s1, double *s2) {
  const Groups g(n, c);
  const std::vector<float> rep = repeated(center, c, g.w);
  const int threads = threadsFor(n);
  std::vector<double> part(2 * g.w * threads, 0.0);
  std::vector<float> scratch(2 * g.w * threads);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const long begin = g.count * t / nt, end = g.count * (t + 1) / nt;
    double *a1 = part.data() + 2 * g.w * t;
    float *f1 = scratch.data() + 2 * g.w * t;
    groupSums(x + begin * g.w, dy ? dy + begin * g.w : nullptr, rep.data(), end - begin, g.w, f1, f1 + g.w, a1, a1 + g.w);
  }
  // Leftover rows go into thread 0's partials (rep's first c entries are the channels in order).
  const long done = g.count * g.w;
  groupSums(x + done, dy ? dy + done : nullptr, rep.data(), g.tail / c, c, scratch.data(), scratch.data() + g.w, part.data(),
            part.data() + g.w);
  std::fill(s1, s1 + c, 0.0);
  std::fill(s2, s2 + c, 0.0);
  for (int t = 0; t < threads; t++) {
    const double *a1 = part.data() + 2 * g.w * t, *a2 = a1 + g.w;
    for (long j = 0; j < g.w; j++) {
      s1[j % c] += a1[j];
      s2[j % c] += a2[j];
    }
  }
}

// For `count` groups of width w: out = (a - rc) * rm + ra, or with b: out = a * rma + (b - rc) * rm + ra.
MEDLENS_CLONES void groupAffine(const float *a, const float *b, const float *rc, const float *rma, const float *rm, const float *ra,
                                long count, long w, float *out) {
  for (long g = 0; g < count; g++) {
    const float *ar = a + g * w;
    float *o = out + g * w;
    if (b) {
      const float *br = b + g * w;
      for (long j = 0; j < w; j++) o[j] = ar[j] * rma[j] + (br[j] - rc[j]) * rm[j] + ra[j];
    } else {
      for (long j = 0; j < w; j++) o[j] = (ar[j] - rc[j]) * rm[j] + ra[j];
    }
  }
}

// out = (a - center) * mul + add, or with b: out = a * mulA + (b - center) * mul + add;
// per-channel constants, parallel over groups.
void affine(long n, long c, const float *a, const float *b, const float *center, const float *mulA, const float *mul,
            const float *add, float *out) {
  const Groups g(n, c);
  const std::vector<float> rc = repeated(center, c, g.w), rm = repeated(mul, c, g.w), ra = repeated(add, c, g.w);
  const std::vector<float> rma = b ? repeated(mulA, c, g.w) : std::vector<float>(g.w);
  auto run = [&](long begin, long end, long width) {
    groupAffine(a + begin, b ? b + begin : nullptr, rc.data(), rma.data(), rm.data(), ra.data(), (end - begin) / width, width,
                out + begin);
  };
#pragma omp parallel num_threads(threadsFor(n))
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    run(g.count * t / nt * g.w, g.count * (t + 1) / nt * g.w, g.w);
  }
  run(g.count * g.w, n, c);
}

// 1 / sqrt(var + eps) as the inference kernel computes it, so forward and backward agree.
float invStd(float var, float eps) { return 1.f / std::sqrt(var + eps); }

}  // namespace

void batchNormTrainForward(long rows, long c, const float *x, const float *scale, const float *offset, float eps, float *y,
                           float *mean, float *var) {
  const long n = rows * c;
  // Sums about the first row's values: one pass, and no cancellation when |mean| >> std.
  std::vector<double> s1(c), s2(c);
  channelSums(n, c, x, nullptr, x, s1.data(), s2.data());
  std::vector<float> mul(c), add(c);
  for (long j = 0; j < c; j++) {
    const double m = s1[j] / rows;
    mean[j] = static_cast<float>(x[j] + m);
    var[j] = static_cast<float>(std::max(0.0, s2[j] / rows - m * m));
    mul[j] = (scale ? scale[j] : 1.f) * invStd(var[j], eps);
    add[j] = offset ? offset[j] : 0.f;
  }
  affine(n, c, x, nullptr, mean, nullptr, mul.data(), add.data(), y);
}

void batchNormTrainBackward(long rows, long c, const float *dy, const float *x, const float *mean, const float *var,
                            const float *scale, float eps, float *dx, float *dscale, float *doffset) {
  const long n = rows * c;
  std::vector<double> sumDy(c), sumDyU(c);
  channelSums(n, c, x, dy, mean, sumDy.data(), sumDyU.data());
  // dx = a * dy + b * (x - mean) + d with a = scale * invstd, b = -a * invstd^2 * sum(dy*u) / rows,
  // d = -a * sum(dy) / rows.
  std::vector<float> a(c), b(c), d(c);
  for (long j = 0; j < c; j++) {
    const double is = invStd(var[j], eps);
    doffset[j] = static_cast<float>(sumDy[j]);
    dscale[j] = static_cast<float>(sumDyU[j] * is);
    const double aj = (scale ? scale[j] : 1.f) * is;
    a[j] = static_cast<float>(aj);
    b[j] = static_cast<float>(-aj * is * is * sumDyU[j] / rows);
    d[j] = static_cast<float>(-aj * sumDy[j] / rows);
  }
  if (dx) affine(n, c, dy, x, mean, a.data(), b.data(), d.data(), dx);
}

}  // namespace medlens
