// Broadcasting binary ops, axis reductions and other elementwise kernels: simple loops (no oneDNN
// primitive fits tfjs' semantics exactly), but far faster than tfjs-cpu's per-element index
// arithmetic, which dominated training steps once convolutions ran in oneDNN.
#pragma once
#include <cstdint>

namespace medlens {

enum BinaryOp { BIN_ADD = 0, BIN_SUB = 1, BIN_MUL = 2, BIN_DIV = 3, BIN_SQDIFF = 4, BIN_MAX = 5, BIN_MIN = 6 };
constexpr int kMaxRank = 8;

// out[i] = a[ia] op b[ib] with numpy broadcasting; shapes are right-aligned and padded to `rank`.
void binary(int op, int rank, const int *outShape, const int *aShape, const int *bShape, const float *a, const float *b, float *out);

enum CompareOp { CMP_GREATER = 0, CMP_GREATER_EQUAL = 1, CMP_LESS = 2, CMP_LESS_EQUAL = 3, CMP_EQUAL = 4, CMP_NOT_EQUAL = 5 };

// out[i] = a[ia] op b[ib] ? 1 : 0 (tfjs' bool tensors are bytes), broadcasting as binary().
void compare(int op, int rank, const int *outShape, const int *aShape, const int *bShape, const float *a, const float *b,
             uint8_t *out);

// Max (or min) of x over the axes flagged in `reduced`, NaN-propagating as tfjs-cpu.
void reduceMinMax(bool max, int rank, const int *shape, const int *reduced, const float *x, float *out);

// Sums x over the axes flagged in `reduced` (one flag per dimension), times `scale`.
void reduceSum(int rank, const int *shape, const int *reduced, float scale, const float *x, float *out);

enum UnaryOp { UN_RELU = 0, UN_RELU6 = 1, UN_STEP = 2, UN_SIGMOID = 3, UN_TANH = 4, UN_EXP = 5, UN_SQUARE = 6, UN_SQRT = 7,
               UN_RSQRT = 8, UN_NEG = 9, UN_ELU = 10, UN_LEAKYRELU = 11, UN_ERF = 12, UN_ABS = 13 };

// y = op(x) elementwise; `alpha` is Step's value for x <= 0 and LeakyRelu's slope.
void unary(int op, float alpha, long n, const float *x, float *y);

// out = x tiled `reps` times per dimension.
void tile(int rank, const int *inShape, const int *reps, const float *x, float *out);

// Batch norm over the last dimension (length c): y = (x - mean) * scale / sqrt(var + eps) + offset;
// scale/offset may be null (1 and 0).
void batchNorm(long n, long c, const float *x, const float *mean, const float *var, const float *offset, const float *scale,
               float eps, float *y);

// out = x with dimensions permuted: out dim i is x dim perm[i].
void transpose(int rank, const int *shape, const int *perm, const float *x, float *out);

// Copies a block of shape `block` from src (at srcOff) into dst (at dstOff): Slice and Pad.
void copyBlock(int rank, const int *srcShape, const int *srcOff, const int *dstShape, const int *dstOff, const int *block,
               const float *src, float *dst);

// Softmax over the last dimension (rows of length n).
void softmax(long rows, long n, const float *x, float *y);

}  // namespace medlens
