// Selection, gathering, dtype conversion and bilinear resizing with tfjs-cpu's semantics: simple
// loops that replace tfjs-cpu's per-element JS (GatherV2 indexes through TensorBuffer.locToIndex,
// ~0.5 us a float), so that masks, metrics and explainers stay in C++ on the native backend.
#pragma once
#include <cstdint>

namespace medlens {

// out[i] = cond[i] == 1 ? t[i] : e[i] (tfjs-cpu's test of its bool bytes).
void select(long n, const uint8_t *cond, const float *t, const float *e, float *out);

// Element type codes of convert(): tfjs' float32, int32 and bool (byte) data.
enum ElementType { EL_FLOAT32 = 0, EL_INT32 = 1, EL_BOOL = 2 };

// dst = src converted as tfjs-cpu's Cast: to int32 as JS ToInt32 (truncation, NaN and
// infinities 0, wrapping modulo 2^32), to bool as x != 0 (NaN true), to float32 exactly or
// rounded to nearest.
void convert(long n, int srcType, const void *src, int dstType, void *dst);

// out[i] = 1 when x[i] is finite, else 0.
void isFinite(long n, const float *x, uint8_t *out);

// out[o, i, k] = x[o, idx[i], k] for x [outer, axisDim, inner] and n indices; throws (tfjs'
// message) for an index outside [0, axisDim) before writing anything.
void gather(long outer, long axisDim, long inner, const float *x, long n, const int32_t *idx, float *out);

// Resize geometry: x [N, H, W, C] to y [N, OH, OW, C].
enum ResizeParam { RZ_N, RZ_H, RZ_W, RZ_C, RZ_OH, RZ_OW, RZ_ALIGN_CORNERS, RZ_HALF_PIXEL, RZ_COUNT };

// tfjs' ResizeBilinear (alignCorners / halfPixelCenters as tfjs-cpu).
void resizeBilinear(const int *p, const float *x, float *y);

// Its exact adjoint: dx [N, H, W, C] from dy [N, OH, OW, C] (overwritten, not accumulated).
void resizeBilinearGrad(const int *p, const float *dy, float *dx);

}  // namespace medlens
