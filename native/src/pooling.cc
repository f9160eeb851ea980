#include "pooling.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"

namespace medlens {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using alg = dnnl::algorithm;

struct PoolShapes {
  memory::desc src, dst;
  memory::dims strides, kernel, dilates, padL, padR;
  bool ok = true;  // false: some window lies entirely in the padding
};

PoolShapes shapesOf(const int *p) {
  PoolShapes s;
  const bool is3d = p[PP_ND] == 3;
  memory::dims src = {p[PP_N], p[PP_C]}, dst = {p[PP_N], p[PP_C]};
  const int first = is3d ? 0 : 1;  // spatial dims used: D (3D only), H, W
  for (int i = first; i < 3; i++) {
    const memory::dim in = p[PP_D + i], out = p[PP_OD + i], k = p[PP_KD + i], st = p[PP_SD + i], dil = p[PP_DD + i],
                      pl = p[PP_PF + i];
    const memory::dim span = (k - 1) * dil + 1;
    // The right padding tfjs' output size implies; a last window that stops short of the
    // input's end (valid padding with a remainder) needs none.
    memory::dim pr = (out - 1) * st + span - in - pl;
    if (pr < 0) pr = 0;
    if (pl >= span || pr >= span) s.ok = false;
    src.push_back(in);
    dst.push_back(out);
    s.strides.push_back(st);
    s.kernel.push_back(k);
    s.dilates.push_back(dil - 1);
    s.padL.push_back(pl);
    s.padR.push_back(pr);
  }
  const tag act = is3d ? tag::ndhwc : tag::nhwc;
  s.src = memory::desc(src, dt::f32, act);
  s.dst = memory::desc(dst, dt::f32, act);
  return s;
}

using Fwd = dnnl::pooling_v2_forward;
using Bwd = dnnl::pooling_v2_backward;

Fwd::primitive_desc forwardPd(const PoolShapes &s, dnnl::prop_kind kind, alg a) {
  return Fwd::primitive_desc(Fwd::desc(kind, a, s.src, s.dst, s.strides, s.kernel, s.dilates, s.padL, s.padR), cpuEngine());
}

// Cached primitives of one pooling geometry and direction. Backward entries also hold the
// forward-training primitive (max: recomputes the arg-max workspace) and its scratch buffers.
struct PoolEntry : CacheEntry {
  PoolShapes s;
  Fwd::primitive_desc fwdPd;
  Fwd fwd;
  Bwd bwd;
  std::unique_ptr<memory> yScratch, workspace;
};

enum Kind { FORWARD_MAX, FORWARD_AVG, BACKWARD_MAX, BACKWARD_AVG };

PoolEntry *entryFor(const int *p, Kind kind) {
  static const char *keys[] = {"pfm", "pfa", "pbm", "pba"};
  const std::string key = makeKey(keys[kind], p, PP_COUNT);
  if (auto *e = cacheGet(key)) return static_cast<PoolEntry *>(e);
  auto fresh = std::make_unique<PoolEntry>();
  fresh->s = shapesOf(p);
  const auto &s = fresh->s;
  if (s.ok) {
    switch (kind) {
      case FORWARD_MAX:
      case FORWARD_AVG:
        fresh->fwdPd = forwardPd(s, dnnl::prop_kind::forward_inference, kind == FORWARD_MAX ? alg::pooling_max : alg::pooling_avg_exclude_padding);
        fresh->fwd = Fwd(fresh->fwdPd);
        break;
      case BACKWARD_MAX:
      case BACKWARD_AVG: {
        // tfjs-cpu's average-pool gradient divides by the full window: include-padding.
        const alg a = kind == BACKWARD_MAX ? alg::pooling_max : alg::pooling_avg_include_padding;
        fresh->fwdPd = forwardPd(s, dnnl::prop_kind::forward_training, a);
        Bwd::primitive_desc bpd(Bwd::desc(a, s.src, s.dst, s.strides, s.kernel, s.dilates, s.padL, s.padR), cpuEngine(), fresh->fwdPd);
        fresh->bwd = Bwd(bpd);
        if (kind == BACKWARD_MAX) {
          fresh->fwd = Fwd(fresh->fwdPd);
          fresh->yScratch.reset(new memory(s.dst, cpuEngine()));
          fresh->workspace.reset(new memory(fresh->fwdPd.workspace_desc(), cpuEngine()));
        }
        break;
      }
    }
  }
  return static_cast<PoolEntry *>(cachePut(key, std::move(fresh)));
}

void *mut(const float *ptr) { return const_cast<float *>(ptr); }

// One window element of maxPoolScatter for `n` channels (kN > 0: n == kN, known when compiled).
// (no-trapping-math: lets GCC if-convert and vectorise the float compare; no FP exceptions are read.)
template <long kN>
__attribute__((optimize("no-trapping-math"))) inline void scatterStep(long n, const float *__restrict x, const float *__restrict y, const float *__restrict dy,
                        float *__restrict dx, float *__restrict open) {
  if (kN > 0) n = kN;
  for (long c = 0; c < n; c++) {
    const float xv = x[c], yv = y[c], d = dy[c], o = open[c], acc = dx[c];
    const bool hit = (xv == yv) & (o != 0.f);
    dx[c] = hit ? acc + d : acc;
    open[c] = hit ? 0.f : o;
  }
}

// The max-pool gradient as a loop over windows, given the pooled maxima y: dy of each window
// goes to its first (kLast: last) element equal to the maximum, in row-major window order.
// Threads split batch x channel blocks, whose dx never overlap; the per-channel step is
// branchless so that it vectorises.
template <bool kLast>
void maxPoolScatter(const int *p, const float *__restrict x, const float *__restrict y, const float *__restrict dy,
                    float *__restrict dx) {
  const long N = p[PP_N], C = p[PP_C], D = p[PP_D], H = p[PP_H], W = p[PP_W];
  const long OD = p[PP_OD], OH = p[PP_OH], OW = p[PP_OW], KD = p[PP_KD], KH = p[PP_KH], KW = p[PP_KW];
  constexpr long kBlock = 16;
  const long blocks = (C + kBlock - 1) / kBlock;
  std::memset(dx, 0, sizeof(float) * N * D * H * W * C);
#pragma omp parallel for schedule(static)
  for (long task = 0; task < N * blocks; task++) {
    const long n = task / blocks, c0 = (task % blocks) * kBlock, nc = std::min(kBlock, C - c0);
    float open[kBlock];  // 1 until the window's maximum has been found, per channel
    for (long od = 0; od < OD; od++) {
      for (long oh = 0; oh < OH; oh++) {
        for (long ow = 0; ow < OW; ow++) {
          const long o = (((n * OD + od) * OH + oh) * OW + ow) * C + c0;
          std::fill(open, open + kBlock, 1.f);
          for (long a = 0; a < KD * KH * KW; a++) {
            const long k = kLast ? KD * KH * KW - 1 - a : a;
            const long kd = k / (KH * KW), kh = (k / KW) % KH, kw = k % KW;
            const long id = od * p[PP_SD] - p[PP_PF] + kd * p[PP_DD], ih = oh * p[PP_SH] - p[PP_PT] + kh * p[PP_DH],
                       iw = ow * p[PP_SW] - p[PP_PL] + kw * p[PP_DW];
            if (id < 0 || id >= D || ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const long i = (((n * D + id) * H + ih) * W + iw) * C + c0;
            if (nc == kBlock) scatterStep<kBlock>(kBlock, x + i, y + o, dy + o, dx + i, open);
            else scatterStep<0>(nc, x + i, y + o, dy + o, dx + i, open);
          }
        }
      }
    }
  }
}

}  // namespace

bool poolForward(const int *p, int algorithm, const float *x, float *y) {
  PoolEntry *e = entryFor(p, algorithm == POOL_MAX ? FORWARD_MAX : FORWARD_AVG);
  if (!e->s.ok) return false;
  memory xm(e->s.src, cpuEngine(), mut(x)), ym(e->s.dst, cpuEngine(), y);
  e->fwd.execute(cpuStream(), {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DST, ym}});
  cpuStream().wait();
  return true;
}

bool maxPoolBackward(const int *p, const float *x, const float *y, const float *dy, float *dx) {
  // tfjs-cpu's 3D max-pool gradient picks the last of tied maxima; oneDNN's the first.
  if (p[PP_ND] == 3) {
    maxPoolScatter<true>(p, x, y, dy, dx);
    return true;
  }
  PoolEntry *e = entryFor(p, BACKWARD_MAX);
  if (!e->s.ok) return false;
  memory xm(e->s.src, cpuEngine(), mut(x)), dym(e->s.dst, cpuEngine(), mut(dy)), dxm(e->s.src, cpuEngine(), dx);
  e->fwd.execute(cpuStream(), {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DST, *e->yScratch}, {DNNL_ARG_WORKSPACE, *e->workspace}});
  e->bwd.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_DIFF_SRC, dxm}, {DNNL_ARG_WORKSPACE, *e->workspace}});
  cpuStream().wait();
  return true;
}

bool avgPoolBackward(const int *p, const float *dy, float *dx) {
  PoolEntry *e = entryFor(p, BACKWARD_AVG);
  if (!e->s.ok) return false;
  memory dym(e->s.dst, cpuEngine(), mut(dy)), dxm(e->s.src, cpuEngine(), dx);
  e->bwd.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_DIFF_SRC, dxm}});
  cpuStream().wait();
  return true;
}

}  // namespace medlens
