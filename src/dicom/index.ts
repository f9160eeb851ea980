/** DICOM in and out (browser-safe, bytes in/out). Node file adapters live in src/node/dicom.ts. */
export { parseDicom, hasDicmMarker, type DicomDataset, type ParsedDicom } from './parse.js';
export { checkDicomStructure } from './structure.js';
export { configureDicomCodecs, NATIVE_SYNTAXES, COMPRESSED_SYNTAXES, type CodecConfig } from './codecs.js';
export {
  readDicomImage,
  decodeDicomImage,
  readIdentifiers,
  readPixelLayout,
  type DicomImage,
  type DicomImageMeta,
  type DicomImageOptions,
  type DicomIdentifiers,
} from './image.js';
export { applyWindow, windowValue, storedValue, modalityRange, type VoiFunction, type Window } from './voi.js';
export { stackDicomSlices, multiframeToVolume, sliceNormal, type DicomVolume } from './volume.js';
export { functionalNums, frameRescales, framePositions } from './functional-groups.js';
export { readDicomEcg, decodeDicomEcg, shortLeadName, type DicomEcg, type DicomEcgOptions, type DicomWaveformGroup, type DicomWaveformAnnotation } from './waveform.js';
export { readDicomSeg, SEG_SOP_CLASS_UID, type DicomSegLabelMap, type DicomSegment } from './seg.js';
export { writeDicomSecondaryCapture, heatmapOverlayRgb, SECONDARY_CAPTURE_SOP_CLASS_UID, type SecondaryCaptureInput } from './write.js';
