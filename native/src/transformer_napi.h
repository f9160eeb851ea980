// N-API entry points of the transformer kernels (layer norm, GELU, attention core), kept out of
// addon.cc so that addon.cc only needs one call to add them.
#pragma once
#include <node_api.h>

namespace medlens {

// Adds layerNorm, layerNormGradInput, layerNormGradGamma, gelu, geluGrad, attention and
// attentionGrad to `exports`.
void defineTransformerExports(napi_env env, napi_value exports);

}  // namespace medlens
