// GELU, exact (erf) form as tfjs-layers' 'gelu' activation: y = x * Phi(x), and its gradient
// in one pass each (tfjs composes the forward from four kernels and the gradient from ten).
#pragma once

namespace medlens {

void geluForward(long n, const float *x, float *y);

// dx = dy * (Phi(x) + x * phi(x)), phi the standard normal density.
void geluBackward(long n, const float *dy, const float *x, float *dx);

}  // namespace medlens
