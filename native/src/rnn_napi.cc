// N-API entry points of the whole-sequence LSTM and GRU kernels (rnn.h).
#include "napi_exports.h"
#include "napi_util.h"
#include "rnn.h"

namespace medlens {
namespace {

// Checked RnnParams (see rnn.h) and the element counts of x, y, the weights and the workspace
// of a recurrent layer with `gates` gates and `wsPerUnit` workspace floats per unit.
struct Rnn {
  const int *p;
  size_t xLen, yLen, wLen, uLen, bLen, wsLen;
};

Rnn rnnParams(napi_env env, napi_value v, int gates, int wsPerUnit) {
  const int *p = params(env, v, RP_COUNT);
  const size_t b = prod({p[RP_B]}), t = prod({p[RP_T]}), d = prod({p[RP_D]}), u = prod({p[RP_U]}), g = gates * u;
  return {p, b * t * d, (p[RP_SEQ] ? b * t : b) * u, d * g, u * g, g, b * t * wsPerUnit * u};
}

// The bias (or its gradient) argument, which must be there exactly when the params say so.
float *biasArg(napi_env env, napi_value v, const Rnn &r, const char *name) {
  float *bias = f32(env, v, r.bLen, name, true);
  if ((bias != nullptr) != (r.p[RP_HAS_BIAS] != 0)) throw ArgError(std::string(name) + " does not match params");
  return bias;
}

// lstmForward / gruForward(params, x, kernel, recurrentKernel, bias|null, y, ws)
template <int Gates, int WsPerUnit, void (*kForward)(const int *, const float *, const float *, const float *, const float *, float *, float *)>
napi_value RnnForward(napi_env env, napi_callback_info info) {
  return wrap<7>(env, info, [&](napi_value *a) {
    const Rnn r = rnnParams(env, a[0], Gates, WsPerUnit);
    kForward(r.p, f32(env, a[1], r.xLen, "x"), f32(env, a[2], r.wLen, "kernel"), f32(env, a[3], r.uLen, "recurrentKernel"),
             biasArg(env, a[4], r, "bias"), f32(env, a[5], r.yLen, "y"), f32(env, a[6], r.wsLen, "ws"));
  });
}

// lstmBackward / gruBackward(params, dy, x, kernel, recurrentKernel, ws, dx, dKernel, dRecurrentKernel, dBias|null)
template <int Gates, int WsPerUnit,
          void (*kBackward)(const int *, const float *, const float *, const float *, const float *, const float *, float *, float *,
                            float *, float *)>
napi_value RnnBackward(napi_env env, napi_callback_info info) {
  return wrap<10>(env, info, [&](napi_value *a) {
    const Rnn r = rnnParams(env, a[0], Gates, WsPerUnit);
    kBackward(r.p, f32(env, a[1], r.yLen, "dy"), f32(env, a[2], r.xLen, "x"), f32(env, a[3], r.wLen, "kernel"),
              f32(env, a[4], r.uLen, "recurrentKernel"), f32(env, a[5], r.wsLen, "ws"), f32(env, a[6], r.xLen, "dx"),
              f32(env, a[7], r.wLen, "dKernel"), f32(env, a[8], r.uLen, "dRecurrentKernel"), biasArg(env, a[9], r, "dBias"));
  });
}

}  // namespace

void defineRnnExports(napi_env env, napi_value exports) {
  defineMethods(env, exports,
                {{"lstmForward", RnnForward<4, kLstmWorkspacePerUnit, lstmForward>},
                 {"lstmBackward", RnnBackward<4, kLstmWorkspacePerUnit, lstmBackward>},
                 {"gruForward", RnnForward<3, kGruWorkspacePerUnit, gruForward>},
                 {"gruBackward", RnnBackward<3, kGruWorkspacePerUnit, gruBackward>}});
}

}  // namespace medlens
