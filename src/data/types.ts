/**
 * Dataset shapes shared by readers, generators, training and studies. Channels last, batch
 * first: ECG [N, T, C], image [N, H, W, C], volume [N, D, H, W, C].
 */

/** A labelled dataset held as one flat Float32Array. */
export interface LabeledDataset {
  /** Samples, flat, row-major in `shape`. */
  x: Float32Array;
  /** [N, ...sample shape]. */
  shape: number[];
  /** Class index per sample. */
  y: Int32Array;
  /** Class names, indexed by label. */
  classNames: string[];
  /** Group per sample (record or patient id), for splits that keep a group on one side. */
  groups?: string[];
  /** Sampling rate in Hz for signals. */
  fs?: number;
}

/** Ground truth of what is relevant, for explanation benchmarks. */
export interface RelevanceTruth {
  /** 1 where the input is truly relevant to the label, flat over [N, ...spatial] (no channel axis). */
  relevance: Uint8Array;
  /** [N, ...spatial]. */
  shape: number[];
}

/** Spatial rank of a sample: 1 = signal, 2 = image, 3 = volume. */
export type SpatialRank = 1 | 2 | 3;

/** Typed arrays a voxel grid may be stored in. */
export type VoxelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** A scalar image or label map on a regular grid (NRRD, NIfTI), with its geometry. */
export interface GridImage {
  /** Voxel values, row-major in `shape` (last axis fastest). */
  data: VoxelArray;
  /** Slowest axis first: [D, H, W] for volumes, [H, W] for images; a trailing axis is channels when present. */
  shape: number[];
  /** Voxel size per axis of `shape` (same order), in the file's units (mm). */
  spacing: number[];
  /** World position (x, y, z) of the first voxel. */
  origin: number[];
  /** 4x4 row-major matrix from voxel index (i = fastest axis, j, k) to world coordinates in `space`. */
  affine: number[][];
  /** World coordinate convention of `affine` and `origin`: `LPS` (DICOM, NRRD usually) or `RAS` (NIfTI). */
  space: string;
}
