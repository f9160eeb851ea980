// Layer normalisation over the last dimension (rows of length d), forward and backward, as one
// pass per row: tfjs-layers composes it from moments, four Tiles and a broadcast batch norm, whose
// gradient is a chain of some twenty small kernels per layer.
#pragma once

namespace medlens {

// y = (x - mean) * rstd * gamma + beta per row; also writes each row's mean and
// rstd = 1 / sqrt(variance + eps) (the backward pass needs them).
void layerNormForward(long rows, long d, float eps, const float *x, const float *gamma, const float *beta, float *y, float *mean,
                      float *rstd);

// dx of layerNormForward: rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma and
// xhat = (x - mean) * rstd.
void layerNormBackwardInput(long rows, long d, const float *dy, const float *x, const float *gamma, const float *mean,
                            const float *rstd, float *dx);

// dgamma = sum over rows of dy * xhat.
void layerNormBackwardGamma(long rows, long d, const float *dy, const float *x, const float *mean, const float *rstd, float *dgamma);

}  // namespace medlens
