// Convolutions (2D and 3D, grouped/depthwise) forward, backward-data and backward-weights in
// tfjs' channels-last layouts. `p` is the ConvParams array built in src/backend/native-conv.ts.
#pragma once

namespace medlens {

enum ConvParam {
  CP_ND, CP_N, CP_D, CP_H, CP_W, CP_CI, CP_CO, CP_KD, CP_KH, CP_KW, CP_OD, CP_OH, CP_OW,
  CP_SD, CP_SH, CP_SW, CP_DD, CP_DH, CP_DW, CP_PF, CP_PT, CP_PL, CP_PBK, CP_PB, CP_PR,
  CP_GROUPS, CP_ACT, CP_HAS_BIAS, CP_COUNT
};

// A nonzero `weightsId` identifies the weights array (assigned on the JS side): the weights
// reordered for the primitive are kept under it and reused by later calls with the same id
// (so the weights must not change in place, as tfjs tensors never do) until
// convReleaseWeights(id). 0: reorder as needed, keep nothing.
void convForward(const int *p, float alpha, const float *x, const float *w, const float *bias, float *y, double weightsId);
void convBackwardData(const int *p, const float *dy, const float *w, float *dx, double weightsId);
void convReleaseWeights(double weightsId);
void convBackwardWeights(const int *p, const float *x, const float *dy, float *dw);

}  // namespace medlens
