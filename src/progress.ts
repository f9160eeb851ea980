/**
 * Progress events shared by every long-running API (training, explainers, metrics, studies).
 * The API emits them through an optional callback; the CLI turns them into bars.
 */
export interface ProgressEvent {
  /** What is running, e.g. `train`, `explain:IntegratedGradients`. */
  task: string;
  /** Units done so far. */
  done: number;
  /** Units in all (may be an estimate). */
  total: number;
  /** Free-form details (loss, metric values, epoch). */
  info?: Record<string, number | string>;
}

/** Callback that receives progress events. */
export type ProgressCallback = (event: ProgressEvent) => void;
