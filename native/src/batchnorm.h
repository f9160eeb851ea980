// Training-mode batch normalisation over the last dimension of a channel-last tensor viewed as
// [rows, c]: batch statistics, normalisation and the whole backward pass in a few passes over
// the data. tfjs-layers composes it from ~15 full-tensor ops per layer (tf.moments, batchNorm
// and their gradients), which took a third of a ResNet training step and kept every
// intermediate alive for backprop.
#pragma once

namespace medlens {

// mean/var (biased, as tf.moments) of each channel of x, and
// y = (x - mean) / sqrt(var + eps) * scale + offset; scale/offset may be null (1 and 0).
void batchNormTrainForward(long rows, long c, const float *x, const float *scale, const float *offset, float eps, float *y,
                           float *mean, float *var);

// Gradients of batchNormTrainForward given dy: dscale = sum(dy * xhat), doffset = sum(dy) and,
// when dx is not null, dx = scale * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)), where
// xhat = (x - mean) * invstd; mean/var are the forward's outputs. scale may be null (1).
void batchNormTrainBackward(long rows, long c, const float *dy, const float *x, const float *mean, const float *var,
                            const float *scale, float eps, float *dx, float *dscale, float *doffset);

}  // namespace medlens
