#include "indexing.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace medlens {
namespace {

// JS ToInt32 of a float (Int32Array.from): truncation toward zero, NaN and infinities 0, values
// past the int32 range wrapped modulo 2^32 (float values that large are integers already).
inline int32_t toInt32(float v) {
  if (std::fabs(v) < 2147483648.f) return static_cast<int32_t>(v);
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(static_cast<double>(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

template <typename S, typename D>
void convertLoop(long n, const S *src, D *dst) {
  for (long i = 0; i < n; i++) {
    if constexpr (std::is_same_v<D, uint8_t>) dst[i] = src[i] != 0;
    else if constexpr (std::is_same_v<D, int32_t> && std::is_same_v<S, float>) dst[i] = toInt32(src[i]);
    else dst[i] = static_cast<D>(src[i]);
  }
}

template <typename S>
void convertFrom(long n, const S *src, int dstType, void *dst) {
  switch (dstType) {
    case EL_FLOAT32: return convertLoop(n, src, static_cast<float *>(dst));
    case EL_INT32: return convertLoop(n, src, static_cast<int32_t *>(dst));
    case EL_BOOL: return convertLoop(n, src, static_cast<uint8_t *>(dst));
    default: throw std::runtime_error("unknown element type");
  }
}

// Source taps of one output coordinate: rows/columns lo and hi, weight of hi `frac`.
struct Tap {
  long lo, hi;
  double frac;
};

// tfjs-cpu's ResizeBilinear taps along one axis of length `in` resized to `out` (computed in
// double, as JS does).
std::vector<Tap> resizeTaps(long in, long out, bool alignCorners, bool halfPixel) {
  const bool align = alignCorners && out > 1;
  const double ratio = static_cast<double>(align ? in - 1 : in) / static_cast<double>(align ? out - 1 : out);
  std::vector<Tap> taps(out);
  for (long o = 0; o < out; o++) {
    const double src = halfPixel ? ratio * (o + 0.5) - 0.5 : ratio * o;
    const double lo = std::max(0.0, std::floor(src));
    taps[o] = {static_cast<long>(lo), static_cast<long>(std::min<double>(in - 1, std::ceil(src))), src - lo};
  }
  return taps;
}

struct ResizeGeometry {
  long n, h, w, c, oh, ow;
  std::vector<Tap> rows, cols;
  explicit ResizeGeometry(const int *p)
      : n(p[RZ_N]), h(p[RZ_H]), w(p[RZ_W]), c(p[RZ_C]), oh(p[RZ_OH]), ow(p[RZ_OW]),
        rows(resizeTaps(h, oh, p[RZ_ALIGN_CORNERS] != 0, p[RZ_HALF_PIXEL] != 0)),
        cols(resizeTaps(w, ow, p[RZ_ALIGN_CORNERS] != 0, p[RZ_HALF_PIXEL] != 0)) {}
};

}  // namespace

void select(long n, const uint8_t *cond, const float *t, const float *e, float *out) {
  // Both loads unconditional: a blend, not a branch per element (conditions are often random).
  for (long i = 0; i < n; i++) {
    const float tv = t[i], ev = e[i];
    out[i] = cond[i] == 1 ? tv : ev;
  }
}

void convert(long n, int srcType, const void *src, int dstType, void *dst) {
  switch (srcType) {
    case EL_FLOAT32: return convertFrom(n, static_cast<const float *>(src), dstType, dst);
    case EL_INT32: return convertFrom(n, static_cast<const int32_t *>(src), dstType, dst);
    case EL_BOOL: return convertFrom(n, static_cast<const uint8_t *>(src), dstType, dst);
    default: throw std::runtime_error("unknown element type");
  }
}

void isFinite(long n, const float *x, uint8_t *out) {
  for (long i = 0; i < n; i++) out[i] = std::isfinite(x[i]);
}

void gather(long outer, long axisDim, long inner, const float *x, long n, const int32_t *idx, float *out) {
  for (long i = 0; i < n; i++) {
    if (idx[i] < 0 || idx[i] >= axisDim)
      throw std::runtime_error("GatherV2: the index value " + std::to_string(idx[i]) + " is not in [0, " + std::to_string(axisDim - 1) + "]");
  }
  for (long o = 0; o < outer; o++) {
    const float *xo = x + o * axisDim * inner;
    float *oo = out + o * n * inner;
    if (inner == 1) {
      for (long i = 0; i < n; i++) oo[i] = xo[idx[i]];
    } else {
      for (long i = 0; i < n; i++) std::memcpy(oo + i * inner, xo + idx[i] * inner, sizeof(float) * inner);
    }
  }
}

void resizeBilinear(const int *p, const float *x, float *y) {
  const ResizeGeometry g(p);
  for (long b = 0; b < g.n; b++) {
    const float *xb = x + b * g.h * g.w * g.c;
    for (long r = 0; r < g.oh; r++) {
      const Tap &tr = g.rows[r];
      const float *top = xb + tr.lo * g.w * g.c, *bot = xb + tr.hi * g.w * g.c;
      float *yr = y + ((b * g.oh + r) * g.ow) * g.c;
      for (long col = 0; col < g.ow; col++) {
        const Tap &tc = g.cols[col];
        const float *tl = top + tc.lo * g.c, *trt = top + tc.hi * g.c, *bl = bot + tc.lo * g.c, *br = bot + tc.hi * g.c;
        float *yo = yr + col * g.c;
        for (long k = 0; k < g.c; k++) {
          const double t = tl[k] + (static_cast<double>(trt[k]) - tl[k]) * tc.frac;
          const double bo = bl[k] + (static_cast<double>(br[k]) - bl[k]) * tc.frac;
          yo[k] = static_cast<float>(t + (bo - t) * tr.frac);
        }
      }
    }
  }
}

void resizeBilinearGrad(const int *p, const float *dy, float *dx) {
  const ResizeGeometry g(p);
  std::fill_n(dx, g.n * g.h * g.w * g.c, 0.f);
  for (long b = 0; b < g.n; b++) {
    float *db = dx + b * g.h * g.w * g.c;
    for (long r = 0; r < g.oh; r++) {
      const Tap &tr = g.rows[r];
      float *top = db + tr.lo * g.w * g.c, *bot = db + tr.hi * g.w * g.c;
      const float *dyr = dy + ((b * g.oh + r) * g.ow) * g.c;
      for (long col = 0; col < g.ow; col++) {
        const Tap &tc = g.cols[col];
        // Weights of the four taps in the forward's top + (bottom - top) * rowFrac form.
        const float wtl = static_cast<float>((1 - tr.frac) * (1 - tc.frac)), wtr = static_cast<float>((1 - tr.frac) * tc.frac);
        const float wbl = static_cast<float>(tr.frac * (1 - tc.frac)), wbr = static_cast<float>(tr.frac * tc.frac);
        float *tl = top + tc.lo * g.c, *trt = top + tc.hi * g.c, *bl = bot + tc.lo * g.c, *br = bot + tc.hi * g.c;
        const float *d = dyr + col * g.c;
        // Not restrict: taps may coincide (at borders and with alignCorners), adding in turn.
        for (long k = 0; k < g.c; k++) {
          tl[k] += d[k] * wtl;
          trt[k] += d[k] * wtr;
          bl[k] += d[k] * wbl;
          br[k] += d[k] * wbr;
        }
      }
    }
  }
}

}  // namespace medlens
