#include "activation.h"

#include <cmath>

namespace medlens {

// no-trapping-math: lets GCC vectorise the compare-and-select (no FP exceptions are read).
__attribute__((optimize("no-trapping-math"))) void reluGrad(long n, const float *__restrict dy, const float *__restrict x,
                                                            float *__restrict dx) {
#pragma omp parallel for schedule(static) if (n > (1L << 16))
  for (long i = 0; i < n; i++) {
    const float step = x[i] > 0.f ? 1.f : (x[i] != x[i] ? NAN : 0.f);
    dx[i] = dy[i] * step;
  }
}

}  // namespace medlens
