#include "matmul.h"

#include <algorithm>
#include <stdexcept>

#include "common.h"
#include "elementwise.h"

namespace medlens {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct MatMulEntry : CacheEntry {
  memory::desc a, b, c, bias;
  dnnl::matmul prim;
};

void *mut(const float *ptr) { return const_cast<float *>(ptr); }

// Below this many multiply-adds a plain loop beats oneDNN: its per-call cost (an OpenMP
// fork/join, descriptor set-up) dominated the recurrent nets' many tiny matmuls.
constexpr long kSmallGemm = 1L << 17;

void smallMatmul(const int *p, float alpha, const float *a, const float *b, const float *bias, float *c) {
  const long ba = p[MP_BA], bb = p[MP_BB], m = p[MP_M], k = p[MP_K], n = p[MP_N];
  const bool ta = p[MP_TA], tb = p[MP_TB];
  const long batch = std::max(ba, bb);
  // Element strides: A(i,l) = a[i*ars + l*acs], B(l,j) = b[l*brs + j*bcs].
  const long ars = ta ? 1 : k, acs = ta ? m : 1, brs = tb ? 1 : n, bcs = tb ? k : 1;
  for (long t = 0; t < batch; t++) {
    const float *A = a + (ba == 1 ? 0 : t * m * k), *B = b + (bb == 1 ? 0 : t * k * n);
    float *C = c + t * m * n;
    for (long i = 0; i < m; i++) {
      float *ci = C + i * n;
      for (long j = 0; j < n; j++) ci[j] = bias ? bias[j] : 0.f;
      if (bcs == 1) {
        for (long l = 0; l < k; l++) {
          const float av = A[i * ars + l * acs];
          const float *bl = B + l * brs;
          for (long j = 0; j < n; j++) ci[j] += av * bl[j];
        }
      } else {
        for (long j = 0; j < n; j++) {
          float s = 0.f;
          for (long l = 0; l < k; l++) s += A[i * ars + l * acs] * B[l * brs + j * bcs];
          ci[j] += s;
        }
      }
    }
  }
  static const int unaryOf[] = {-1, UN_RELU, UN_RELU6, UN_ELU, UN_LEAKYRELU, UN_SIGMOID};
  const int act = p[MP_ACT];
  if (act < 0 || act > 5) throw std::runtime_error("unknown activation code");
  if (act) unary(unaryOf[act], alpha, batch * m * n, c, c);
}

}  // namespace

void matmul(const int *p, float alpha, const float *a, const float *b, const float *bias, float *c) {
  if (static_cast<long>(std::max(p[MP_BA], p[MP_BB])) * p[MP_M] * p[MP_K] * p[MP_N] <= kSmallGemm) {
    return smallMatmul(p, alpha, a, b, bias, c);
  }
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
