// Max and average pooling (2D and 3D; 1D runs as 2D) forward and backward on oneDNN pooling
// primitives in tfjs' channels-last layouts, with tfjs-cpu semantics: max pooling's gradient
// goes to the first maximum of each window (3D: the last, as tfjs-cpu's maxPool3dPositions;
// a parallel loop, not oneDNN, does that one), average pooling divides by the in-bounds pixel count and
// its gradient (like tfjs-cpu) by the full window size. `p` is the PoolParams array built in
// src/backend/native-pooling.ts; 2D pooling has D = OD = KD = SD = DD = 1 and PF = 0.
#pragma once

namespace medlens {

enum PoolParam {
  PP_ND, PP_N, PP_D, PP_H, PP_W, PP_C, PP_OD, PP_OH, PP_OW, PP_KD, PP_KH, PP_KW,
  PP_SD, PP_SH, PP_SW, PP_PF, PP_PT, PP_PL, PP_DD, PP_DH, PP_DW, PP_COUNT
};

enum PoolAlg { POOL_MAX = 0, POOL_AVG = 1 };

// Each returns false (touching nothing) when the geometry has windows oneDNN cannot take
// (a window entirely in the padding): the caller then runs the reference kernel.
bool poolForward(const int *p, int alg, const float *x, float *y);
// 2D: recomputes the forward pass with oneDNN's arg-max workspace, then scatters dy through it;
// 3D: a loop over windows finding the maxima `y` (the pooled output) again.
bool maxPoolBackward(const int *p, const float *x, const float *y, const float *dy, float *dx);
bool avgPoolBackward(const int *p, const float *dy, float *dx);

}  // namespace medlens
