/**
 * The infill contract shared by occlusion (as a perturbation `baseline` function), the deletion
 * mask and the metrics: `infill(x, mask)` returns x with the masked elements (mask > 0.5)
 * replaced by plausible values and every other element unchanged.
 */
import type { tf } from '../../backend/tf.js';

/** Replaces masked elements of `x` ([N, ...sample]); `mask` has x's shape, 1 = replace. */
export type InfillFunction = (x: tf.Tensor, mask: tf.Tensor) => tf.Tensor;
