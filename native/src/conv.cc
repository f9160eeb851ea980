#include "conv.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "common.h"

namespace medlens {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

struct ConvShapes {
  memory::desc src, weights, dst, bias;
  memory::dims strides, dilates, padL, padR;
};

ConvShapes shapesOf(const int *p) {
  ConvShapes s;
  const bool is3d = p[CP_ND] == 3;
  const memory::dim g = p[CP_GROUPS];
  memory::dims src = {p[CP_N], p[CP_CI]}, dst = {p[CP_N], p[CP_CO]};
  memory::dims wts = g > 1 ? memory::dims{g, p[CP_CO] / g, p[CP_CI] / g} : memory::dims{p[CP_CO], p[CP_CI]};
  if (is3d) {
    src.push_back(p[CP_D]); dst.push_back(p[CP_OD]); wts.push_back(p[CP_KD]);
    s.strides.push_back(p[CP_SD]); s.dilates.push_back(p[CP_DD] - 1);
    s.padL.push_back(p[CP_PF]); s.padR.push_back(p[CP_PBK]);
  }
  src.insert(src.end(), {p[CP_H], p[CP_W]});
  dst.insert(dst.end(), {p[CP_OH], p[CP_OW]});
  wts.insert(wts.end(), {p[CP_KH], p[CP_KW]});
  s.strides.insert(s.strides.end(), {p[CP_SH], p[CP_SW]});
  s.dilates.insert(s.dilates.end(), {p[CP_DH] - 1, p[CP_DW] - 1});
  s.padL.insert(s.padL.end(), {p[CP_PT], p[CP_PL]});
  s.padR.insert(s.padR.end(), {p[CP_PB], p[CP_PR]});
  const tag act = is3d ? tag::ndhwc : tag::nhwc;
  // tfjs filters: [KH,KW,Ci,Co] (grouped: [KH,KW,Ci,multiplier]) = oneDNN hwio / hwigo.
  const tag wtag = g > 1 ? (is3d ? tag::dhwigo : tag::hwigo) : (is3d ? tag::dhwio : tag::hwio);
  s.src = memory::desc(src, dt::f32, act);
  s.dst = memory::desc(dst, dt::f32, act);
  s.weights = memory::desc(wts, dt::f32, wtag);
  s.bias = memory::desc({p[CP_CO]}, dt::f32, tag::x);
  return s;
}

memory::desc anyOf(const memory::desc &md) { return memory::desc(md.dims(), dt::f32, tag::any); }

dnnl::convolution_forward::primitive_desc forwardPd(const ConvShapes &s, bool bias, const dnnl::primitive_attr &attr) {
  using cf = dnnl::convolution_forward;
  auto d = bias ? cf::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, s.src,
                           anyOf(s.weights), s.bias, s.dst, s.strides, s.dilates, s.padL, s.padR)
                : cf::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, s.src,
                           anyOf(s.weights), s.dst, s.strides, s.dilates, s.padL, s.padR);
  return cf::primitive_desc(d, attr, cpuEngine());
}

// Cached state of one convolution primitive (`Prim` is a oneDNN convolution primitive class).
template <typename Prim>
struct ConvEntry : CacheEntry {
  ConvShapes s;
  typename Prim::primitive_desc pd;
  Prim prim;
  std::unique_ptr<memory> wScratch;
};

// The cached backward-data or backward-weights primitive for params `p` (both take the same
// descriptor arguments and the plain forward primitive as hint).
template <typename Prim>
ConvEntry<Prim> *backwardEntry(const std::string &key, const int *p) {
  if (auto *e = cacheGet(key)) return static_cast<ConvEntry<Prim> *>(e);
  auto fresh = std::make_unique<ConvEntry<Prim>>();
  fresh->s = shapesOf(p);
  const auto &s = fresh->s;
  auto hint = forwardPd(s, false, dnnl::primitive_attr());
  typename Prim::desc d(dnnl::algorithm::convolution_direct, s.src, anyOf(s.weights), s.dst, s.strides, s.dilates, s.padL, s.padR);
  fresh->pd = typename Prim::primitive_desc(d, cpuEngine(), hint);
  fresh->prim = Prim(fresh->pd);
  return static_cast<ConvEntry<Prim> *>(cachePut(key, std::move(fresh)));
}

void *mut(const float *ptr) { return const_cast<float *>(ptr); }

// Reordered weights kept across calls, by primitive key and weights id, and the keys of each id.
struct PackedStore {
  std::unordered_map<std::string, std::unique_ptr<memory>> byKey;
  std::unordered_map<double, std::vector<std::string>> keysById;
};

PackedStore &packedStore() {
  static PackedStore store;
  return store;
}

constexpr size_t kMaxPacked = 4096;

// The weights in the layout the primitive wants: the user buffer itself when it already has
// it; for weightsId 0 a reorder into the entry's scratch buffer; otherwise the copy reordered
// for (entry, weightsId) on its first call. Repeated gradients of one model then skip a weight
// reorder per conv and call (6 ms for a 512x512x3x3 filter; all reorders together took as
// long as resnet18's forward convolutions at 64 px).
template <typename Entry>
memory packedWeights(Entry *e, const std::string &entryKey, const memory::desc &want, const float *w, double weightsId) {
  if (weightsId == 0 || e->s.weights == want) return stageInput(e->s.weights, want, mut(w), e->wScratch).used;
  PackedStore &store = packedStore();
  const std::string key = entryKey + "#" + std::to_string(static_cast<long long>(weightsId));
  auto it = store.byKey.find(key);
  if (it != store.byKey.end()) return *it->second;
  if (store.byKey.size() >= kMaxPacked) store = PackedStore();  // ids the JS side never released
  auto packed = std::make_unique<memory>(want, cpuEngine());
  memory user(e->s.weights, cpuEngine(), mut(w));
  dnnl::reorder(user, *packed).execute(cpuStream(), user, *packed);
  store.keysById[weightsId].push_back(key);
  return *(store.byKey[key] = std::move(packed));
}

// Input channels up to which the input gradient runs as GEMM + col2im (below).
constexpr int kSmallInChannels = 4;

// The input gradient of an ungrouped conv with few input channels (an image's 1-3) as a GEMM
// and a col2im scatter: oneDNN's direct backward-data kernels pad the input channels to a
// vector and ran 10-15x slower than the forward conv there (11 ms vs 0.7 ms for resnet's
// 7x7/2 stem at 64 px). cols[pixel, k, ic] = sum_oc dy[pixel, oc] * w[k, ic, oc] for each
// output pixel and kernel offset k, then each cols row is added to the input pixels it came
// from. Images go in chunks, so the cols buffer stays small.
void convBackwardDataGemm(const int *p, const float *dy, const float *w, float *dx) {
  const long N = p[CP_N], D = p[CP_D], H = p[CP_H], W = p[CP_W], IC = p[CP_CI], OC = p[CP_CO];
  const long OD = p[CP_OD], OH = p[CP_OH], OW = p[CP_OW], KD = p[CP_KD], KH = p[CP_KH], KW = p[CP_KW];
  const long pixels = OD * OH * OW, rowLen = KD * KH * KW * IC;
  const long chunk = std::max(1L, (4L << 20) / (pixels * rowLen));  // ~16 MB of cols per chunk
  static std::vector<float> cols;
  cols.resize(static_cast<size_t>(std::min(chunk, N) * pixels * rowLen));
  std::memset(dx, 0, sizeof(float) * N * D * H * W * IC);
  for (long n0 = 0; n0 < N; n0 += chunk) {
    const long images = std::min(chunk, N - n0);
    // cols [images*pixels, rowLen] = dy [images*pixels, OC] x w^T (w is [rowLen, OC] row-major).
    dnnl::sgemm('N', 'T', images * pixels, rowLen, OC, 1.f, dy + n0 * pixels * OC, OC, w, OC, 0.f, cols.data(), rowLen);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < images; i++) {
      const long n = n0 + i;
      for (long od = 0; od < OD; od++) {
        for (long oh = 0; oh < OH; oh++) {
          for (long ow = 0; ow < OW; ow++) {
            const float *row = cols.data() + (((i * OD + od) * OH + oh) * OW + ow) * rowLen;
            for (long kd = 0; kd < KD; kd++) {
              const long id = od * p[CP_SD] - p[CP_PF] + kd * p[CP_DD];
              if (id < 0 || id >= D) continue;
              for (long kh = 0; kh < KH; kh++) {
                const long ih = oh * p[CP_SH] - p[CP_PT] + kh * p[CP_DH];
                if (ih < 0 || ih >= H) continue;
                for (long kw = 0; kw < KW; kw++) {
                  const long iw = ow * p[CP_SW] - p[CP_PL] + kw * p[CP_DW];
                  if (iw < 0 || iw >= W) continue;
                  float *out = dx + (((n * D + id) * H + ih) * W + iw) * IC;
                  const float *in = row + ((kd * KH + kh) * KW + kw) * IC;
                  for (long c = 0; c < IC; c++) out[c] += in[c];
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace

void convForward(const int *p, float alpha, const float *x, const float *w, const float *bias, float *y, double weightsId) {
  const std::string key = makeKey("cf", p, CP_COUNT) + "," + std::to_string(alpha);
  using Entry = ConvEntry<dnnl::convolution_forward>;
  auto *e = static_cast<Entry *>(cacheGet(key));
  if (!e) {
    auto fresh = std::make_unique<Entry>();
    fresh->s = shapesOf(p);
    dnnl::post_ops po;
    if (!appendActivation(po, p[CP_ACT], alpha)) throw std::runtime_error("unknown activation code");
    dnnl::primitive_attr attr;
    attr.set_post_ops(po);
    fresh->pd = forwardPd(fresh->s, p[CP_HAS_BIAS] != 0, attr);
    fresh->prim = dnnl::convolution_forward(fresh->pd);
    e = static_cast<Entry *>(cachePut(key, std::move(fresh)));
  }
  memory wm = packedWeights(e, key, e->pd.weights_desc(), w, weightsId);
  memory xm(e->s.src, cpuEngine(), mut(x)), ym(e->s.dst, cpuEngine(), y);
  std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}};
  if (p[CP_HAS_BIAS]) args.insert({DNNL_ARG_BIAS, memory(e->s.bias, cpuEngine(), mut(bias))});
  e->prim.execute(cpuStream(), args);
  cpuStream().wait();
}

void convBackwardData(const int *p, const float *dy, const float *w, float *dx, double weightsId) {
  if (p[CP_GROUPS] == 1 && p[CP_CI] <= kSmallInChannels) return convBackwardDataGemm(p, dy, w, dx);
  const std::string key = makeKey("cd", p, CP_COUNT);
  auto *e = backwardEntry<dnnl::convolution_backward_data>(key, p);
  memory wm = packedWeights(e, key, e->pd.weights_desc(), w, weightsId);
  memory dym(e->s.dst, cpuEngine(), mut(dy)), dxm(e->s.src, cpuEngine(), dx);
  e->prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DIFF_SRC, dxm}});
  cpuStream().wait();
}

void convBackwardWeights(const int *p, const float *x, const float *dy, float *dw) {
  auto *e = backwardEntry<dnnl::convolution_backward_weights>(makeKey("cw", p, CP_COUNT), p);
  Staged wm = stageOutput(e->s.weights, e->pd.diff_weights_desc(), dw, e->wScratch);
  memory xm(e->s.src, cpuEngine(), mut(x)), dym(e->s.dst, cpuEngine(), mut(dy));
  e->prim.execute(cpuStream(), {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_DIFF_WEIGHTS, wm.used}});
  finishOutput(wm);
  cpuStream().wait();
}

void convReleaseWeights(double weightsId) {
  PackedStore &store = packedStore();
  auto it = store.keysById.find(weightsId);
  if (it == store.keysById.end()) return;
  for (const auto &key : it->second) store.byKey.erase(key);
  store.keysById.erase(it);
}

}  // namespace medlens
