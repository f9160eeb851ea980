// Vectorisation helpers of the hand-written transformer kernels. The addon is built for plain
// x86-64 (SSE2); MEDLENS_SIMD_CLONES compiles a function also for AVX-512 (x86-64-v4) and
// AVX2+FMA (x86-64-v3) and picks the version at load time (GCC function multiversioning), so
// the loops use wide vectors where the CPU has them without raising the build's baseline
// (measured: GELU forward 116 -> 34 us for 16x17x768 going from AVX2 to AVX-512).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define MEDLENS_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MEDLENS_SIMD_CLONES
#endif

namespace medlens {

// x with its magnitude limited to that of `limit` (> 0), sign kept. Integer ops on the bits:
// GCC does not vectorise a float compare next to a division while FP operations may trap (the
// default). A NaN becomes +-limit.
inline float clampMagnitude(float x, float limit) {
  int32_t bits, lim;
  std::memcpy(&bits, &x, sizeof bits);
  std::memcpy(&lim, &limit, sizeof lim);
  const int32_t mag = std::min(bits & 0x7fffffff, lim);
  bits = mag | (bits & static_cast<int32_t>(0x80000000u));
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// exp(y) for y <= 0 (clamped at -87, where it is ~1.6e-38), relative error ~2e-7; branch-free
// and written so that GCC vectorises it (std::exp is a scalar libm call).
inline float expNonPositive(float y) {
  y = clampMagnitude(y, 87.f);  // y <= 0
  const float shifter = 12582912.f;  // 1.5 * 2^23: adding it rounds to an integer
  const float n = (y * 1.44269504088896341f + shifter) - shifter;
  const float r = y - n * 0.693145751953125f - n * 1.428606765330187e-06f;
  float p = 1.f / 720.f;
  p = p * r + 1.f / 120.f;
  p = p * r + 1.f / 24.f;
  p = p * r + 1.f / 6.f;
  p = p * r + 0.5f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// erf(x) as a rational function on [-4, 4] (Eigen's generic_fast_erf_float; beyond 4 erf is
// +-1 in float), absolute error below 1e-6.
inline float erfRational(float x) {
  x = clampMagnitude(x, 4.f);
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 - 2.10102402082508e-06f;
  p = p * x2 - 5.69250639462346e-05f;
  p = p * x2 - 7.34990630326855e-04f;
  p = p * x2 - 2.95459980854025e-03f;
  p = p * x2 - 1.60960333262415e-02f;
  float q = -1.45660718464996e-05f;
  q = q * x2 - 2.13374055278905e-04f;
  q = q * x2 - 1.68282697438203e-03f;
  q = q * x2 - 7.37332916720468e-03f;
  q = q * x2 - 1.42647390514189e-02f;
  return x * p / q;
}

}  // namespace medlens
