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
