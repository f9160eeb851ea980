// Comparisons may not trap (we never enable FP exceptions): lets GCC turn the clamps and
// selects of the gate arithmetic into vector min/max/blend, i.e. vectorise the cell loops.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif
#include "rnn.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <oneapi/dnnl/dnnl.h>

// The cell loops (exp, divisions) dominate a step once the GEMMs are oneDNN's: build them for
// AVX-512 and AVX2 too and pick at load time (the addon itself targets baseline x86-64).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MEDLENS_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MEDLENS_VECTOR_CLONES
#endif

namespace medlens {
namespace {

// Row-major C = A·B + beta·C through oneDNN's JIT sgemm; inside an OpenMP parallel region it runs
// on the calling thread only. Returns false on failure (callers in parallel regions cannot throw).
bool gemm(char ta, char tb, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float beta, float *c,
          long ldc) {
  return dnnl_sgemm(ta, tb, m, n, k, 1.f, a, lda, b, ldb, beta, c, ldc) == dnnl_success;
}

void gemmOrThrow(char ta, char tb, long m, long n, long k, const float *a, long lda, const float *b, long ldb, float beta,
                 float *c, long ldc) {
  if (!gemm(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc)) throw std::runtime_error("dnnl_sgemm failed");
}

// exp(x) to ~2 ulp (Cephes' expf polynomial), branch-free so that loops over it vectorise:
// libm's tanhf/expf per element cost more than the recurrent GEMM.
inline float expApprox(float x) {
  x = std::min(std::max(x, -87.f), 88.f);
  const float n = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;  // round to nearest
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * (r * r) + r + 1.f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

inline float tanhApprox(float x) {
  const float e = expApprox(-2.f * std::abs(x));
  return std::copysign((1.f - e) / (1.f + e), x);
}

inline float sigmoidApprox(float x) { return 1.f / (1.f + expApprox(-x)); }

// tfjs-layers' recurrent activations: hardSigmoid = clip(0.2x + 0.5, 0, 1) and sigmoid. The
// derivatives are in terms of the activation a (what the workspace keeps); hardSigmoid's is 0.2
// strictly inside (0, 1), which is tfjs' clipByValue gradient except on a measure-zero boundary.
template <int Ract>
inline float recurrentAct(float z) {
  if constexpr (Ract == RACT_HARD_SIGMOID) return std::min(std::max(0.2f * z + 0.5f, 0.f), 1.f);
  else return sigmoidApprox(z);
}

template <int Ract>
inline float recurrentActGrad(float a) {
  if constexpr (Ract == RACT_HARD_SIGMOID) return a > 0.f && a < 1.f ? 0.2f : 0.f;
  else return a * (1.f - a);
}

// One LSTM cell step for one batch row: g holds the gate pre-activations (x·W + h·U + b) and
// gets the activations i, f, c~, o; c receives the new cell state, h the new hidden state.
// cprev is the previous cell state (zeros at the first step). The restrict-qualified gate rows
// let the compiler vectorise the loop.
template <int Ract>
MEDLENS_VECTOR_CLONES void lstmCell(long u, float *g, const float *__restrict cprev, float *__restrict c, float *__restrict h) {
  float *__restrict gi = g, *__restrict gf = g + u, *__restrict gc = g + 2 * u, *__restrict go = g + 3 * u;
  for (long j = 0; j < u; j++) {
    const float i = recurrentAct<Ract>(gi[j]), f = recurrentAct<Ract>(gf[j]);
    const float cc = tanhApprox(gc[j]), o = recurrentAct<Ract>(go[j]);
    gi[j] = i;
    gf[j] = f;
    gc[j] = cc;
    go[j] = o;
    const float cj = f * cprev[j] + i * cc;
    c[j] = cj;
    h[j] = o * tanhApprox(cj);
  }
}

// Backward of lstmCell: from dh (gradient of h) and dc (of c, from the next step; updated in
// place to the gradient of cprev) to dz, the gradient of the gate pre-activations.
template <int Ract>
MEDLENS_VECTOR_CLONES void lstmCellGrad(long u, const float *__restrict g, const float *__restrict c, const float *__restrict cprev, const float *__restrict dh,
                  float *__restrict dc, float *dz) {
  const float *gi = g, *gf = g + u, *gc = g + 2 * u, *go = g + 3 * u;
  float *__restrict dzi = dz, *__restrict dzf = dz + u, *__restrict dzc = dz + 2 * u, *__restrict dzo = dz + 3 * u;
  for (long j = 0; j < u; j++) {
    const float i = gi[j], f = gf[j], cc = gc[j], o = go[j];
    const float tc = tanhApprox(c[j]);
    const float dcj = dc[j] + dh[j] * o * (1.f - tc * tc);
    dzi[j] = dcj * cc * recurrentActGrad<Ract>(i);
    dzf[j] = dcj * cprev[j] * recurrentActGrad<Ract>(f);
    dzc[j] = dcj * i * (1.f - cc * cc);
    dzo[j] = dh[j] * tc * recurrentActGrad<Ract>(o);
    dc[j] = dcj * f;
  }
}

// GRU (tfjs-layers' GRUCell, resetAfter false; gates z, r, h): g holds z, r pre-activations
// (x·W + b + h·U[:, :2u]) and gets their activations; rh receives r * hprev.
template <int Ract>
MEDLENS_VECTOR_CLONES void gruGates(long u, float *__restrict g, const float *__restrict hprev, float *__restrict rh) {
  for (long j = 0; j < u; j++) {
    const float z = recurrentAct<Ract>(g[j]), r = recurrentAct<Ract>(g[u + j]);
    g[j] = z;
    g[u + j] = r;
    rh[j] = r * hprev[j];
  }
}

// Then, with g's third block = x·W + b + (r * hprev)·U[:, 2u:]: the candidate hh (stored in
// place) and the new hidden state h = z * hprev + (1 - z) * hh.
MEDLENS_VECTOR_CLONES void gruOutput(long u, float *__restrict g, const float *__restrict hprev, float *__restrict h) {
  for (long j = 0; j < u; j++) {
    const float z = g[j], hh = tanhApprox(g[2 * u + j]);
    g[2 * u + j] = hh;
    h[j] = z * hprev[j] + (1.f - z) * hh;
  }
}

// GRU backward, first half: from dh to the z and hh pre-activation gradients (dz blocks 0 and 2)
// and the direct part of the incoming hidden state's gradient (dh * z, into dhprev).
template <int Ract>
MEDLENS_VECTOR_CLONES void gruGradOutput(long u, const float *__restrict g, const float *__restrict hprev, const float *__restrict dh,
                                         float *__restrict dz, float *__restrict dhprev) {
  for (long j = 0; j < u; j++) {
    const float z = g[j], hh = g[2 * u + j];
    dz[j] = dh[j] * (hprev[j] - hh) * recurrentActGrad<Ract>(z);
    dz[2 * u + j] = dh[j] * (1.f - z) * (1.f - hh * hh);
    dhprev[j] = dh[j] * z;
  }
}

// Second half: from drh, the gradient of r * hprev, to r's pre-activation gradient (dz block 1)
// and the reset path's part of dhprev.
template <int Ract>
MEDLENS_VECTOR_CLONES void gruGradReset(long u, const float *__restrict g, const float *__restrict hprev, const float *__restrict drh,
                                        float *__restrict dz, float *__restrict dhprev) {
  for (long j = 0; j < u; j++) {
    const float r = g[u + j];
    dz[u + j] = drh[j] * hprev[j] * recurrentActGrad<Ract>(r);
    dhprev[j] += drh[j] * r;
  }
}

// Threads for a recurrence over `batch` independent rows: rows are split between threads for
// the whole sequence (no synchronisation per step); fewer than 4 rows a thread only adds overhead.
int rowThreads(long batch) { return static_cast<int>(std::max(1L, std::min<long>(omp_get_max_threads(), batch / 4))); }

// Runs body(b0, b1) on row ranges covering [0, batch) in parallel; false if any body failed.
template <typename F>
bool forRowChunks(long batch, F body) {
  std::atomic<bool> ok{true};
  const int nthr = rowThreads(batch);
#pragma omp parallel num_threads(nthr) if (nthr > 1)
  {
    const long n = omp_get_num_threads(), k = omp_get_thread_num();
    const long b0 = batch * k / n, b1 = batch * (k + 1) / n;
    if (b1 > b0 && !body(b0, b1)) ok = false;
  }
  return ok;
}

// Sizes of one call: G = gates * units (weight columns), W = workspace floats per (batch, time).
struct Dims {
  long B, T, D, U, G, W;
  bool seq, back;
  int ract;
  Dims(const int *p, int gates, int wsPerUnit)
      : B(p[RP_B]), T(p[RP_T]), D(p[RP_D]), U(p[RP_U]), G(static_cast<long>(gates) * p[RP_U]),
        W(static_cast<long>(wsPerUnit) * p[RP_U]), seq(p[RP_SEQ] != 0), back(p[RP_BACK] != 0), ract(p[RP_RACT]) {
    if (ract != RACT_HARD_SIGMOID && ract != RACT_SIGMOID) throw std::runtime_error("unknown recurrent activation");
  }
  // Input time index processed at step s (outputs are in processing order, as tfjs-layers).
  long timeOf(long s) const { return back ? T - 1 - s : s; }
  // Workspace row of batch row b at input time t.
  float *wsAt(float *ws, long b, long t) const { return ws + (b * T + t) * W; }
  const float *wsAt(const float *ws, long b, long t) const { return ws + (b * T + t) * W; }
  // Gradient of the output h at step s of row b, or null when the output there is not used.
  const float *dyAt(const float *dy, long b, long s) const {
    return seq ? dy + (b * T + s) * U : (s == T - 1 ? dy + b * U : nullptr);
  }
  // Hands the new hidden state h of step s on: to the output and to the workspace's incoming
  // hidden state slot (at float `hprevAt`) of the next step.
  void emit(const float *h, long b, long s, float *y, float *ws, long hprevAt) const {
    if (seq) std::copy_n(h, U, y + (b * T + s) * U);
    else if (s == T - 1) std::copy_n(h, U, y + b * U);
    if (s + 1 < T) std::copy_n(h, U, wsAt(ws, b, timeOf(s + 1)) + hprevAt);
  }
};

// Input projections of every step in one GEMM, on top of the bias: ws gate columns = b + x·W.
void inputProjection(const Dims &d, const float *x, const float *w, const float *bias, float *ws) {
  for (long r = 0; r < d.B * d.T; r++) {
    if (bias) std::copy_n(bias, d.G, ws + r * d.W);
    else std::fill_n(ws + r * d.W, d.G, 0.f);
  }
  gemmOrThrow('N', 'N', d.B * d.T, d.G, d.D, x, d.D, w, d.G, 1.f, ws, d.W);
}

// Gradients of x, the kernel and the bias from dz, the gradients of the gate pre-activations of
// every step [B*T, G].
void inputProjectionGrad(const Dims &d, const float *x, const float *w, const float *dz, float *dx, float *dw, float *db) {
  const long rowsAll = d.B * d.T;
  gemmOrThrow('N', 'T', rowsAll, d.D, d.G, dz, d.G, w, d.G, 0.f, dx, d.D);
  gemmOrThrow('T', 'N', d.D, d.G, rowsAll, x, d.D, dz, d.G, 0.f, dw, d.G);
  if (!db) return;
  std::fill_n(db, d.G, 0.f);
  for (long r = 0; r < rowsAll; r++) {
    const float *row = dz + r * d.G;
    for (long j = 0; j < d.G; j++) db[j] += row[j];
  }
}

// Runs rows(ract, b0, b1) on row ranges covering the batch in parallel, with the recurrent
// activation as a compile-time constant (std::integral_constant) so the cell loops stay
// specialised; throws when a GEMM failed.
template <typename F>
void runRows(const Dims &d, F rows) {
  const bool ok = forRowChunks(d.B, [&](long b0, long b1) {
    return d.ract == RACT_HARD_SIGMOID ? rows(std::integral_constant<int, RACT_HARD_SIGMOID>(), b0, b1)
                                       : rows(std::integral_constant<int, RACT_SIGMOID>(), b0, b1);
  });
  if (!ok) throw std::runtime_error("dnnl_sgemm failed");
}

// The cell-specific parts of a recurrent layer, for rnnForward / rnnBackward: forwardRows and
// backwardRows run the recurrence for batch rows [b0, b1) (false when a GEMM failed).
struct LstmLayer {
  static constexpr int kGates = 4, kWsPerUnit = kLstmWorkspacePerUnit;
  template <int Ract>
  static bool forwardRows(const Dims &d, const float *rk, float *y, float *ws, long b0, long b1) {
    const long rows = b1 - b0, U = d.U, W = d.W, T = d.T;
    std::vector<float> h(U), zeros(U, 0.f);
    for (long s = 0; s < T; s++) {
      const long t = d.timeOf(s);
      float *first = ws + (b0 * T + t) * W;
      if (s == 0) {
        for (long b = b0; b < b1; b++) std::fill_n(d.wsAt(ws, b, t) + 5 * U, U, 0.f);
      } else if (!gemm('N', 'N', rows, d.G, U, first + 5 * U, T * W, rk, d.G, 1.f, first, T * W)) {
        return false;
      }
      for (long b = b0; b < b1; b++) {
        float *g = d.wsAt(ws, b, t);
        lstmCell<Ract>(U, g, s ? d.wsAt(ws, b, d.timeOf(s - 1)) + 4 * U : zeros.data(), g + 4 * U, h.data());
        d.emit(h.data(), b, s, y, ws, 5 * U);
      }
    }
    return true;
  }

  template <int Ract>
  static bool backwardRows(const Dims &d, const float *dy, const float *rk, const float *ws, float *dz, long b0, long b1) {
    const long rows = b1 - b0, U = d.U, T = d.T, G = d.G;
    std::vector<float> dhRec(rows * U, 0.f), dc(rows * U, 0.f), dh(U), zeros(U, 0.f);
    for (long s = T - 1; s >= 0; s--) {
      const long t = d.timeOf(s);
      for (long b = b0; b < b1; b++) {
        const float *rec = dhRec.data() + (b - b0) * U, *out = d.dyAt(dy, b, s);
        for (long j = 0; j < U; j++) dh[j] = rec[j] + (out ? out[j] : 0.f);
        const float *g = d.wsAt(ws, b, t);
        lstmCellGrad<Ract>(U, g, g + 4 * U, s ? d.wsAt(ws, b, d.timeOf(s - 1)) + 4 * U : zeros.data(), dh.data(),
                           dc.data() + (b - b0) * U, dz + (b * T + t) * G);
      }
      if (s > 0 && !gemm('N', 'T', rows, U, G, dz + (b0 * T + t) * G, T * G, rk, G, 0.f, dhRec.data(), U)) return false;
    }
    return true;
  }

  // Recurrent kernel: incoming hidden states of every step times their gate gradients, at once.
  static void recurrentKernelGrad(const Dims &d, const float *ws, const float *dz, float *du) {
    gemmOrThrow('T', 'N', d.U, d.G, d.B * d.T, ws + 5 * d.U, d.W, dz, d.G, 0.f, du, d.G);
  }
};

// GRU workspace per (batch, time): z, r, hh (3u), incoming hidden state (u), r * hprev (u).
constexpr long kGruHprev = 3, kGruRh = 4;

struct GruLayer {
  static constexpr int kGates = 3, kWsPerUnit = kGruWorkspacePerUnit;
  template <int Ract>
  static bool forwardRows(const Dims &d, const float *rk, float *y, float *ws, long b0, long b1) {
    const long rows = b1 - b0, U = d.U, W = d.W, T = d.T, G = d.G;
    std::vector<float> h(U);
    for (long s = 0; s < T; s++) {
      const long t = d.timeOf(s);
      float *first = d.wsAt(ws, b0, t);
      if (s == 0) {
        for (long b = b0; b < b1; b++) std::fill_n(d.wsAt(ws, b, t) + kGruHprev * U, U, 0.f);
      } else if (!gemm('N', 'N', rows, 2 * U, U, first + kGruHprev * U, T * W, rk, G, 1.f, first, T * W)) {
        return false;
      }
      for (long b = b0; b < b1; b++) {
        float *g = d.wsAt(ws, b, t);
        gruGates<Ract>(U, g, g + kGruHprev * U, g + kGruRh * U);
      }
      // At the first step hprev (hence r * hprev) is zero.
      if (s > 0 && !gemm('N', 'N', rows, U, U, first + kGruRh * U, T * W, rk + 2 * U, G, 1.f, first + 2 * U, T * W)) return false;
      for (long b = b0; b < b1; b++) {
        float *g = d.wsAt(ws, b, t);
        gruOutput(U, g, g + kGruHprev * U, h.data());
        d.emit(h.data(), b, s, y, ws, kGruHprev * U);
      }
    }
    return true;
  }

  template <int Ract>
  static bool backwardRows(const Dims &d, const float *dy, const float *rk, const float *ws, float *dz, long b0, long b1) {
    const long rows = b1 - b0, U = d.U, T = d.T, G = d.G;
    std::vector<float> dhRec(rows * U, 0.f), drh(rows * U), dh(U);
    for (long s = T - 1; s >= 0; s--) {
      const long t = d.timeOf(s);
      float *dzFirst = dz + (b0 * T + t) * G;
      for (long b = b0; b < b1; b++) {
        float *rec = dhRec.data() + (b - b0) * U;
        const float *out = d.dyAt(dy, b, s);
        for (long j = 0; j < U; j++) dh[j] = rec[j] + (out ? out[j] : 0.f);
        const float *g = d.wsAt(ws, b, t);
        gruGradOutput<Ract>(U, g, g + kGruHprev * U, dh.data(), dz + (b * T + t) * G, rec);
      }
      if (s == 0) {  // hprev is zero: so are r's gradients; nothing flows further back
        for (long b = b0; b < b1; b++) std::fill_n(dz + (b * T + t) * G + U, U, 0.f);
        break;
      }
      if (!gemm('N', 'T', rows, U, U, dzFirst + 2 * U, T * G, rk + 2 * U, G, 0.f, drh.data(), U)) return false;
      for (long b = b0; b < b1; b++) {
        const float *g = d.wsAt(ws, b, t);
        gruGradReset<Ract>(U, g, g + kGruHprev * U, drh.data() + (b - b0) * U, dz + (b * T + t) * G, dhRec.data() + (b - b0) * U);
      }
      if (!gemm('N', 'T', rows, U, 2 * U, dzFirst, T * G, rk, G, 1.f, dhRec.data(), U)) return false;
    }
    return true;
  }

  // Recurrent kernel: z, r columns from the incoming hidden states, hh columns from r * hprev.
  static void recurrentKernelGrad(const Dims &d, const float *ws, const float *dz, float *du) {
    const long rowsAll = d.B * d.T, U = d.U;
    gemmOrThrow('T', 'N', U, 2 * U, rowsAll, ws + kGruHprev * U, d.W, dz, d.G, 0.f, du, d.G);
    gemmOrThrow('T', 'N', U, U, rowsAll, ws + kGruRh * U, d.W, dz + 2 * U, d.G, 0.f, du + 2 * U, d.G);
  }
};

template <typename Layer>
void rnnForward(const int *p, const float *x, const float *w, const float *rk, const float *bias, float *y, float *ws) {
  const Dims d(p, Layer::kGates, Layer::kWsPerUnit);
  inputProjection(d, x, w, bias, ws);
  runRows(d, [&](auto ract, long b0, long b1) { return Layer::template forwardRows<decltype(ract)::value>(d, rk, y, ws, b0, b1); });
}

// Backward through time into dz, the gate pre-activation gradients [B*T, G], then the weight
// and input gradients from it in big GEMMs.
template <typename Layer>
void rnnBackward(const int *p, const float *dy, const float *x, const float *w, const float *rk, const float *ws, float *dx,
                 float *dw, float *du, float *db) {
  const Dims d(p, Layer::kGates, Layer::kWsPerUnit);
  std::vector<float> dz(static_cast<size_t>(d.B * d.T * d.G));
  runRows(d, [&](auto ract, long b0, long b1) {
    return Layer::template backwardRows<decltype(ract)::value>(d, dy, rk, ws, dz.data(), b0, b1);
  });
  inputProjectionGrad(d, x, w, dz.data(), dx, dw, db);
  Layer::recurrentKernelGrad(d, ws, dz.data(), du);
}

}  // namespace

void lstmForward(const int *p, const float *x, const float *w, const float *rk, const float *bias, float *y, float *ws) {
  rnnForward<LstmLayer>(p, x, w, rk, bias, y, ws);
}

void lstmBackward(const int *p, const float *dy, const float *x, const float *w, const float *rk, const float *ws, float *dx,
                  float *dw, float *du, float *db) {
  rnnBackward<LstmLayer>(p, dy, x, w, rk, ws, dx, dw, du, db);
}

void gruForward(const int *p, const float *x, const float *w, const float *rk, const float *bias, float *y, float *ws) {
  rnnForward<GruLayer>(p, x, w, rk, bias, y, ws);
}

void gruBackward(const int *p, const float *dy, const float *x, const float *w, const float *rk, const float *ws, float *dx,
                 float *dw, float *du, float *db) {
  rnnBackward<GruLayer>(p, dy, x, w, rk, ws, dx, dw, du, db);
}

}  // namespace medlens
