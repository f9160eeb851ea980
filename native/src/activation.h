// Fused activation gradients (one pass instead of tfjs' Step kernel plus a Multiply).
#pragma once

namespace medlens {

// dx = dy * step(x), exactly as tfjs' Relu gradient (step(NaN) = NaN, step(x <= 0) = 0).
void reluGrad(long n, const float *dy, const float *x, float *dx);

}  // namespace medlens
