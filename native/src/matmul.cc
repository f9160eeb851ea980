#include "matmul.h"

#include <algorithm>
#include <stdexcept>

#include "common.h"

namespace medlens {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct MatMulEntry : CacheEntry {
  memory::desc a, b, c, bias;
  dnnl::matmul prim;
};

void *mut(const float *ptr) { return const_cast<float *>(ptr); }

}  // namespace

void matmul(const int *p, float alpha, const float *a, const float *b, const float *bias, float *c) {
  const std::string key = makeKey("mm", p, MP_COUNT) + "," + std::to_string(alpha);
  auto *e = static_cast<MatMulEntry *>(cacheGet(key));
  if (!e) {
    auto fresh = std::make_unique<MatMulEntry>();
    const memory::dim ba = p[MP_BA], bb = p[MP_BB], m = p[MP_M], k = p[MP_K], n = p[MP_N];
    // Transposes are expressed as strides: no copy.
    fresh->a = memory::desc({ba, m, k}, dt::f32, p[MP_TA] ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
    fresh->b = memory::desc({bb, k, n}, dt::f32, p[MP_TB] ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
    fresh->c = memory::desc({std::max(ba, bb), m, n}, dt::f32, memory::dims{m * n, n, 1});
    fresh->bias = memory::desc({1, 1, n}, dt::f32, memory::dims{n, n, 1});
    dnnl::post_ops po;
    if (!appendActivation(po, p[MP_ACT], alpha)) throw std::runtime_error("unknown activation code");
    dnnl::primitive_attr attr;
    attr.set_post_ops(po);
    auto d = p[MP_HAS_BIAS] ? dnnl::matmul::desc(fresh->a, fresh->b, fresh->bias, fresh->c)
                            : dnnl::matmul::desc(fresh->a, fresh->b, fresh->c);
    fresh->prim = dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, cpuEngine()));
    e = static_cast<MatMulEntry *>(cachePut(key, std::move(fresh)));
  }
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, memory(e->a, cpuEngine(), mut(a))},
                                          {DNNL_ARG_WEIGHTS, memory(e->b, cpuEngine(), mut(b))},
                                          {DNNL_ARG_DST, memory(e->c, cpuEngine(), c)}};
  if (p[MP_HAS_BIAS]) args.insert({DNNL_ARG_BIAS, memory(e->bias, cpuEngine(), mut(bias))});
  e->prim.execute(cpuStream(), args);
  cpuStream().wait();
}

}  // namespace medlens
