/** Model zoo, custom ViT layers, metadata and byte-level save/load (browser-safe). */
export type { ModelArch, BuildOptions, ArchInfo } from './types.js';
export { buildModel, listArchitectures, archInfo, camLayerName, trainableParamCount } from './zoo.js';
export { vggParamCount, VGG_CONFIGS } from './vgg.js';
export { RESNET_CONFIGS } from './resnet.js';
export { DENSENET121_BLOCKS } from './densenet.js';
export { VIT_CONFIGS, tokenGridOf, withAttentionOutputs, type VitOptions } from './vit.js';
export { ClassToken, PositionEmbedding, ClassTokenPool, MultiHeadSelfAttention, type TokenGrid, type AttentionArgs } from './vit-layers.js';
export { sha256Hex, hashArrays, hashDataset } from './hash.js';
export { createMetadata, checkMetadata, METADATA_FORMAT, METADATA_VERSION, type ModelMetadata, type MetadataInput, type Preprocessing } from './metadata.js';
export { serializeModel, deserializeModel, metadataMismatch, MODEL_FILE_NAMES, type ModelFiles, type ModelFileNames, type LoadedModel } from './io.js';
