// Whole-sequence recurrent layers with tfjs-layers' semantics (Keras gate order, one bias per
// gate, goBackwards emitting steps in processing order). tfjs-layers runs ~60 small ops per time
// step; here a sequence is one GEMM for the inputs, one small GEMM per step for the recurrence
// and fused gate arithmetic, and the backward pass accumulates weight gradients in big GEMMs.
//
// Layouts (row-major, as tfjs): x [B, T, D]; kernel [D, G*u]; recurrentKernel [u, G*u];
// bias [G*u] (G = 4 gates for the LSTM, 3 for the GRU); y [B, T, u] (returnSequences) or
// [B, u]. `p` is the RnnParams array built in src/backend/native-rnn.ts.
#pragma once

namespace medlens {

enum RnnParam { RP_B, RP_T, RP_D, RP_U, RP_SEQ, RP_BACK, RP_RACT, RP_HAS_BIAS, RP_COUNT };
enum RecurrentActivation { RACT_HARD_SIGMOID = 0, RACT_SIGMOID = 1 };

// Floats per (batch, time) of the LSTM workspace: gate activations i,f,c,o (4u), cell state
// (u), and the hidden state that entered the step (u).
constexpr int kLstmWorkspacePerUnit = 6;

// LSTM forward; fills y and the workspace ws [B, T, 6u] that lstmBackward needs.
void lstmForward(const int *p, const float *x, const float *w, const float *rk, const float *bias, float *y, float *ws);

// LSTM backward through time from dy (shaped like y): gradients of x, kernel, recurrent kernel
// and bias (db may be null when the layer has none).
void lstmBackward(const int *p, const float *dy, const float *x, const float *w, const float *rk, const float *ws, float *dx,
                  float *dw, float *du, float *db);

// Floats per (batch, time) of the GRU workspace: z, r, candidate hh (3u), the hidden state that
// entered the step (u) and r times it (u).
constexpr int kGruWorkspacePerUnit = 5;

// GRU (tfjs-layers' GRUCell: gates z, r, h; reset applied before the recurrent product, i.e.
// resetAfter false) forward; same layouts with 3u gate columns.
void gruForward(const int *p, const float *x, const float *w, const float *rk, const float *bias, float *y, float *ws);

// GRU backward through time, as lstmBackward.
void gruBackward(const int *p, const float *dy, const float *x, const float *w, const float *rk, const float *ws, float *dx,
                 float *dw, float *du, float *db);

}  // namespace medlens
