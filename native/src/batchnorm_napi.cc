// N-API entry points of the batch-norm kernels (inference: elementwise.h; training: batchnorm.h).
#include "batchnorm.h"
#include "elementwise.h"
#include "napi_exports.h"
#include "napi_util.h"

namespace medlens {
namespace {

// A channel-last tensor (argument `xv`) with `cv` channels: its data, element and channel counts.
struct ChannelLast {
  float *x;
  size_t n, c;
  long rows() const { return static_cast<long>(n / c); }
};

ChannelLast channelLast(napi_env env, napi_value cv, napi_value xv) {
  const double cd = number(env, cv);
  size_t n;
  float *x = f32Any(env, xv, "x", n);
  if (cd < 1 || n == 0 || n % static_cast<size_t>(cd)) throw ArgError("x size is not a positive multiple of channels");
  return {x, n, static_cast<size_t>(cd)};
}

float epsilon(napi_env env, napi_value v) { return static_cast<float>(number(env, v)); }

// batchNorm(channels, eps, x, mean, variance, offset|null, scale|null, y)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  return wrap<8>(env, info, [&](napi_value *a) {
    const ChannelLast s = channelLast(env, a[0], a[2]);
    batchNorm(static_cast<long>(s.n), static_cast<long>(s.c), s.x, f32(env, a[3], s.c, "mean"), f32(env, a[4], s.c, "variance"),
              f32(env, a[5], s.c, "offset", true), f32(env, a[6], s.c, "scale", true), epsilon(env, a[1]), f32(env, a[7], s.n, "y"));
  });
}

// batchNormTrain(channels, eps, x, scale|null, offset|null, y, mean, variance)
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  return wrap<8>(env, info, [&](napi_value *a) {
    const ChannelLast s = channelLast(env, a[0], a[2]);
    batchNormTrainForward(s.rows(), static_cast<long>(s.c), s.x, f32(env, a[3], s.c, "scale", true), f32(env, a[4], s.c, "offset", true),
                          epsilon(env, a[1]), f32(env, a[5], s.n, "y"), f32(env, a[6], s.c, "mean"), f32(env, a[7], s.c, "variance"));
  });
}

// batchNormTrainGrad(channels, eps, dy, x, mean, variance, scale|null, dx|null, dscale, doffset)
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  return wrap<10>(env, info, [&](napi_value *a) {
    const ChannelLast s = channelLast(env, a[0], a[3]);
    batchNormTrainBackward(s.rows(), static_cast<long>(s.c), f32(env, a[2], s.n, "dy"), s.x, f32(env, a[4], s.c, "mean"),
                           f32(env, a[5], s.c, "variance"), f32(env, a[6], s.c, "scale", true), epsilon(env, a[1]),
                           f32(env, a[7], s.n, "dx", true), f32(env, a[8], s.c, "dscale"), f32(env, a[9], s.c, "doffset"));
  });
}

}  // namespace

void defineBatchNormExports(napi_env env, napi_value exports) {
  defineMethods(env, exports, {{"batchNorm", BatchNorm}, {"batchNormTrain", BatchNormTrain}, {"batchNormTrainGrad", BatchNormTrainGrad}});
}

}  // namespace medlens
