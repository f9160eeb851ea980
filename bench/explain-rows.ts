/**
 * The method rows of `npm run bench:explain`: medlens method name, the matching function of
 * bench/torch_explain_methods.py, and ONE parameter set read by both sides (medlens options;
 * `cell` becomes a grid feature mask). Cost decides repeats (heavy rows are skipped by --quick).
 */
import type { ModelArch } from '../src/models/index.js';

/** Cost class of a row: how many repeats it gets. */
export type Cost = 'cheap' | 'medium' | 'heavy';

/** One benchmark row. */
export interface BenchRow {
  method: string;
  torchFn: string;
  family: 'gradient' | 'cam' | 'perturbation';
  params: Record<string, unknown>;
  cost: Cost;
  /** Same output expected from both implementations (no random draws). */
  deterministic: boolean;
}

const row = (method: string, torchFn: string, family: BenchRow['family'], cost: Cost, deterministic: boolean, params: Record<string, unknown> = {}): BenchRow =>
  ({ method, torchFn, family, params, cost, deterministic });

/** Gradient rows for any differentiable net. */
function gradientRows(): BenchRow[] {
  return [
    row('Saliency', 'saliency', 'gradient', 'cheap', true),
    row('InputXGradient', 'input_x_gradient', 'gradient', 'cheap', true),
    row('IntegratedGradients', 'integrated_gradients', 'gradient', 'medium', true, { steps: 32, rule: 'gausslegendre', internalBatchSize: 8 }),
    row('SmoothGrad', 'smoothgrad', 'gradient', 'medium', false, { samples: 16, noiseLevel: 0.15, internalBatchSize: 8 }),
    row('GradientShap', 'gradient_shap', 'gradient', 'medium', false, { samples: 16, internalBatchSize: 8 }),
  ];
}

/** CAM rows (the model's layer is added by the bench). */
function camRows(scoreCamCost: Cost): BenchRow[] {
  return [
    row('GradCAM', 'gradcam', 'cam', 'cheap', true),
    row('GradCAMPlusPlus', 'gradcam_pp', 'cam', 'cheap', true),
    row('HiResCAM', 'hirescam', 'cam', 'cheap', true),
    row('XGradCAM', 'xgradcam', 'cam', 'cheap', true),
    row('LayerCAM', 'layercam', 'cam', 'cheap', true),
    row('EigenCAM', 'eigencam', 'cam', 'cheap', true),
    row('ScoreCAM', 'scorecam', 'cam', scoreCamCost, true, { internalBatchSize: 32 }),
    row('AblationCAM', 'ablationcam', 'cam', 'cheap', true, { internalBatchSize: 32 }),
  ];
}

/** Perturbation rows with windows / feature cells of `cell` spatial sizes. */
function perturbationRows(cell: number[]): BenchRow[] {
  const ib = { internalBatchSize: 16 };
  return [
    row('Occlusion', 'occlusion', 'perturbation', 'medium', true, { window: cell, strides: cell, ...ib }),
    row('FeatureAblation', 'feature_ablation', 'perturbation', 'medium', true, { cell, ...ib }),
    row('KernelShap', 'kernel_shap', 'perturbation', 'medium', false, { cell, samples: 64, ...ib }),
    row('Lime', 'lime', 'perturbation', 'medium', false, { cell, samples: 64, ...ib }),
    row('RISE', 'rise', 'perturbation', 'medium', false, { masks: 64, cells: 8, keepProbability: 0.5, ...ib }),
  ];
}

/** Rows that make sense for an architecture (no CAM on the LSTM; ecg-cnn gives the 1D CAM rows). */
export function rowsFor(arch: ModelArch): BenchRow[] {
  const modified = [
    row('GuidedBackprop', 'guided_backprop', 'gradient', 'cheap', true),
    row('DeepLift', 'deeplift', 'gradient', 'cheap', true),
  ];
  if (arch === 'resnet18') {
    // 32 px windows: 49 occlusions; 28 px cells: 64 features for ablation / LIME / KernelSHAP
    return [...gradientRows(), ...camRows('heavy'), ...perturbationRows([28, 28]).map((r) => (r.method === 'Occlusion' ? { ...r, params: { ...r.params, window: [32, 32], strides: [32, 32] } } : r)),
      ...modified, row('LRP', 'lrp', 'gradient', 'cheap', true, { epsilon: 1e-9 })];
  }
  if (arch === 'ecg-lstm') return [...gradientRows(), ...perturbationRows([16]), row('DeepLift', 'deeplift', 'gradient', 'cheap', true)];
  if (arch === 'ecg-cnn') return camRows('medium');
  throw new Error(`no bench rows for ${arch}`);
}
