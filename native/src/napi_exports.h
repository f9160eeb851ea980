// The N-API entry points of the addon, one function per kernel family (the *_napi.cc files), each
// adding its functions to the module's exports; addon.cc calls them all from the module init.
#pragma once
#include <node_api.h>

namespace medlens {

// convForward, convBackwardData, convBackwardWeights, convReleaseWeights, matmul.
void defineConvExports(napi_env env, napi_value exports);
// poolForward, maxPoolBackward, avgPoolBackward.
void definePoolingExports(napi_env env, napi_value exports);
// batchNorm, batchNormTrain, batchNormTrainGrad.
void defineBatchNormExports(napi_env env, napi_value exports);
// lstmForward, lstmBackward, gruForward, gruBackward.
void defineRnnExports(napi_env env, napi_value exports);
// binary, compare, reduceSum, reduceMinMax, unary, tile, transpose, copyBlock, softmax, reluGrad.
void defineElementwiseExports(napi_env env, napi_value exports);
// select, convert, isFinite, gather, resizeBilinear, resizeBilinearGrad.
void defineIndexingExports(napi_env env, napi_value exports);
// layerNorm, layerNormGradInput, layerNormGradGamma, gelu, geluGrad, attention, attentionGrad.
void defineTransformerExports(napi_env env, napi_value exports);

}  // namespace medlens
