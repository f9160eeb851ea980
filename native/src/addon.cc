// Module init of the medlens oneDNN addon: collects the N-API entry points of every kernel family
// (the *_napi.cc files, argument checking in napi_util.h) into the module's exports.
#include <node_api.h>
#include <omp.h>

#include <string>

#include "common.h"
#include "napi_exports.h"
#include "napi_util.h"

namespace {

using namespace medlens;

// info() -> { onednn, threads, cachedPrimitives }
napi_value Info(napi_env env, napi_callback_info info) {
  return wrap<0>(env, info, [&](napi_value *) {
    napi_value obj, v;
    check(napi_create_object(env, &obj));
    const dnnl_version_t *ver = dnnl_version();
    std::string s = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." + std::to_string(ver->patch);
    check(napi_create_string_utf8(env, s.c_str(), s.size(), &v));
    check(napi_set_named_property(env, obj, "onednn", v));
    check(napi_create_int32(env, omp_get_max_threads(), &v));
    check(napi_set_named_property(env, obj, "threads", v));
    check(napi_create_int32(env, static_cast<int>(cacheSize()), &v));
    check(napi_set_named_property(env, obj, "cachedPrimitives", v));
    return obj;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  try {
    defineMethods(env, exports, {{"info", Info}});
    defineConvExports(env, exports);
    definePoolingExports(env, exports);
    defineBatchNormExports(env, exports);
    defineRnnExports(env, exports);
    defineElementwiseExports(env, exports);
    defineIndexingExports(env, exports);
    defineTransformerExports(env, exports);
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
