// Broadcasting binary ops, axis reductions and max-pool gradient: simple loops (no oneDNN
// primitive fits tfjs' semantics exactly), but far faster than tfjs-cpu's per-element index
// arithmetic, which dominated training steps once convolutions ran in oneDNN.
#pragma once

namespace medlens {

enum BinaryOp { BIN_ADD = 0, BIN_SUB = 1, BIN_MUL = 2, BIN_DIV = 3, BIN_SQDIFF = 4, BIN_MAX = 5, BIN_MIN = 6 };
constexpr int kMaxRank = 8;

// out[i] = a[ia] op b[ib] with numpy broadcasting; shapes are right-aligned and padded to `rank`.
void binary(int op, int rank, const int *outShape, const int *aShape, const int *bShape, const float *a, const float *b, float *out);

// Sums x over the axes flagged in `reduced` (one flag per dimension), times `scale`.
void reduceSum(int rank, const int *shape, const int *reduced, float scale, const float *x, float *out);

// Gradient of max pooling (NHWC): dy goes to the first maximum of each window, as in tfjs.
// p = [N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL,DH,DW]
void maxPoolGrad(const int *p, const float *x, const float *dy, float *dx);

}  // namespace medlens
