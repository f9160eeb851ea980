// Batched matrix multiply with optional transposes, row bias and activation, in tfjs'
// row-major layout. `p` is the MatMulParams array built in src/backend/native-matmul.ts.
#pragma once

namespace medlens {

enum MatMulParam { MP_BA, MP_BB, MP_M, MP_K, MP_N, MP_TA, MP_TB, MP_ACT, MP_HAS_BIAS, MP_COUNT };

void matmul(const int *p, float alpha, const float *a, const float *b, const float *bias, float *c);

}  // namespace medlens
