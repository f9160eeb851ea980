/**
 * Outputs of the Grad-CAM-vs-depth study: results.json, an HTML report (tables, the verdict,
 * SVG charts) and PNG overlays of heatmaps on test images with the lesion contour (green) and
 * the contour of the dilated marker region that confounder relevance is scored on (magenta).
 * Browser-safe: returns bytes and strings for the CLI to write.
 */
import { encodePngImage } from '../data/png.js';
import { heatmapOverlayRgb } from '../dicom/write.js';
import { HtmlReport } from '../report/html.js';
import { barChart, linePlot } from '../report/svg.js';
import { escapeHtml } from '../report/escape.js';
import { roundForJson, type StudyEnvelope, type StudyOutputs } from './common.js';
import type { ArchResult, GradcamDepthResults } from './gradcam-depth-config.js';
import type { GradcamDepthRun } from './gradcam-depth.js';
import type { OverlayExample } from './gradcam-depth-models.js';

const LESION_RGB = [0, 230, 0];
const CONFOUNDER_RGB = [255, 0, 255];

/** 1 on mask pixels that have a 4-neighbour outside the mask (or touch the border). */
export function maskContour(mask: ArrayLike<number>, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * cols);
  const on = (r: number, c: number) => r >= 0 && c >= 0 && r < rows && c < cols && mask[r * cols + c] !== 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (on(r, c) && !(on(r - 1, c) && on(r + 1, c) && on(r, c - 1) && on(r, c + 1))) out[r * cols + c] = 1;
    }
  }
  return out;
}

function upscale<T extends Float32Array | Uint8Array>(src: T, size: number, f: number): T {
  const out = new (src.constructor as new (n: number) => T)(size * f * size * f);
  for (let r = 0; r < size * f; r++) for (let c = 0; c < size * f; c++) out[r * size * f + c] = src[Math.floor(r / f) * size + Math.floor(c / f)];
  return out;
}

/** PNG bytes of one example: heatmap blended over the image, upscaled `factor` times, contours drawn on top. */
export function overlayPng(e: OverlayExample, factor = 4): Uint8Array {
  const side = e.size * factor;
  const rgb = heatmapOverlayRgb({ base: upscale(e.image, e.size, factor), heatmap: upscale(e.heat, e.size, factor), rows: side, cols: side, alpha: 0.5 });
  const draw = (mask: Uint8Array, colour: number[]) => {
    const edge = maskContour(upscale(mask, e.size, factor), side, side);
    for (let p = 0; p < edge.length; p++) if (edge[p]) for (let k = 0; k < 3; k++) rgb[3 * p + k] = colour[k];
  };
  draw(e.lesion, LESION_RGB);
  if (e.confounder) draw(e.confounder, CONFOUNDER_RGB);
  return encodePngImage({ data: rgb, shape: [side, side, 3] }, { inputRange: 'raw' });
}

const f3 = (v: number) => (Number.isFinite(v) ? v : NaN);

function modelTable(report: HtmlReport, models: ArchResult[], thresholds: number[]): void {
  report.table(
    ['arch', 'depth', 'params', 'CAM grid', 'accuracy', 'AUROC', 'pointing', 'mass acc.', 'rank acc.', 'AUC',
      ...thresholds.map((t) => `IoU@${t}`), 'Dice mean', 'deletion AUC ↓', 'MPRT sim. ↓', 'on confounder', 'confounder area (chance)'],
    models.map((m) => {
      const g = m.methods.find((x) => x.method === 'GradCAM')!;
      return [m.arch, m.depth, m.params, m.camGrid.join('x'), m.accuracy, m.auroc, g.pointingGame, g.relevanceMassAccuracy, g.relevanceRankAccuracy, g.auc,
        ...g.iou, g.diceMean, f3(g.deletionAuc), m.randomisation.finalSimilarity, f3(g.confounderRelevance), f3(m.confounderAreaFraction)];
    }),
  );
}

function methodTable(report: HtmlReport, models: ArchResult[]): void {
  report.table(
    ['arch', 'method', 'pointing', 'mass acc.', 'rank acc.', 'AUC', 'IoU mean', 'Dice mean', 'on confounder', 's / sample'],
    models.flatMap((m) => m.methods.map((x) => [m.arch, x.method, x.pointingGame, x.relevanceMassAccuracy, x.relevanceRankAccuracy, x.auc, x.iouMean, x.diceMean, f3(x.confounderRelevance), x.secondsPerSample])),
  );
}

function figureName(e: OverlayExample, k: number): string {
  return `figures/${e.variant}-${e.arch}-${e.method}-${k}.png`;
}

/** The HTML report (figures referenced by their relative paths). */
export function gradcamDepthHtml(run: GradcamDepthRun, envelope: StudyEnvelope<GradcamDepthResults>, figurePaths: Map<OverlayExample, string>): string {
  const { settings: s, results: r } = run;
  const report = new HtmlReport('Grad-CAM vs depth: does a deeper net give better heatmaps?');
  report.paragraph(
    `Synthetic pneumothorax-like chest X-rays (${s.size} px) with exact lesion masks; each z-scored; nets at width ${s.width} (ViT: ${s.vitDepth} blocks, patch ${s.vitPatch}), ${s.epochs} epoch(s) of Adam at learning rate ${s.learningRate} (the last ${Math.min(s.decayEpochs, s.epochs - 1)} at a tenth of it) on ${s.nTrain} images, tested on ${s.nTest}; maps of ${s.explainCount} test positives per model for the lesion class. ` +
      `Seed ${envelope.seed}, ${envelope.quick ? 'quick' : 'full'} mode, ${envelope.runtimeSeconds.toFixed(0)} s on backend ${envelope.backend ?? 'unknown'}.`,
    'meta',
  );
  report.heading('Verdict');
  report.paragraph(`"${r.verdict.claim}": ${r.verdict.holds ? 'HOLDS' : 'DOES NOT HOLD'} in this run${r.verdict.conclusive ? '' : ' (inconclusive)'}. ${r.verdict.explanation}`);
  for (const [variant, corr] of Object.entries(r.correlations)) {
    const models = r.models.filter((m) => m.variant === variant);
    report.heading(`${variant === 'clean' ? 'Clean lesions' : `With a text marker (phi = ${s.confounderCorrelation} with the label)`}: Grad-CAM per architecture`);
    modelTable(report, models, s.thresholds);
    report.figures([
      { svg: barChart(models.map((m) => m.arch), models.map((m) => m.methods.find((x) => x.method === 'GradCAM')!.auc), { title: `Grad-CAM localisation AUC (${variant})`, yMax: 1 }), caption: 'chance = 0.5' },
      { svg: linePlot(models.map((m) => ({ name: m.arch, values: m.randomisation.similarity })), { title: `Cascading randomisation (${variant})`, xLabel: 'layers randomised (top first)', yLabel: 'Spearman similarity' }), caption: 'sanity check: should fall towards 0' },
    ]);
    report.table(['Grad-CAM measure', 'rho with depth', 'p (rises)', 'rho with accuracy', 'p (rises)', 'n'],
      corr.map((c) => [c.measure, c.withDepth.rho, c.withDepth.pPositive, c.withAccuracy.rho, c.withAccuracy.pPositive, c.withDepth.n]));
    report.heading(`All methods (${variant})`);
    methodTable(report, models);
  }
  const examples = [...figurePaths.entries()];
  if (examples.length) {
    report.heading(`Examples (green: lesion, magenta: text marker dilated by ${s.confounderDilation} px)`);
    report.figures(examples.map(([e, p]) => ({ svg: `<img src="${escapeHtml(p)}" width="${Math.min(192, e.size * 4)}" alt="${escapeHtml(p)}">`, caption: `${e.variant} ${e.arch} ${e.method}` })));
  }
  if (r.hannover) {
    const h = r.hannover;
    report.heading('Real X-rays (Hannover): relevance inside the lungs');
    report.keyValues({
      images: h.images, label: `${h.label} (${h.positives} positive)`, model: `${h.arch} at ${h.size} px`, 'held-out accuracy': h.heldOutAccuracy.toFixed(3),
      'held-out AUROC': Number.isFinite(h.heldOutAuroc) ? h.heldOutAuroc.toFixed(3) : 'n/a', 'Grad-CAM relevance inside lungs': h.relevanceInLungs.toFixed(3), 'lung-area fraction (chance)': h.lungAreaFraction.toFixed(3),
    });
    report.paragraph(h.note);
  }
  report.paragraph(`Depth = number of conv and dense kernels (attention qkv/proj count as two). Relevance on the confounder is measured on the text marker dilated by ${s.confounderDilation} px (its strokes are 1 px wide, CAM grids 2x2 to 8x8), lesion pixels excluded; its chance level is that region's area fraction. Randomisation walks a subset of layers evenly spaced from the logits to the stem (cascading). Deletion AUC uses the softmax probability of the lesion class with baseline 0 (the image mean, as images are z-scored).`, 'meta');
  return report.render();
}

/** results.json, report.html and the overlay PNGs of a finished run. */
export function gradcamDepthOutputs(run: GradcamDepthRun, meta: { seed: number; quick: boolean; runtimeSeconds: number; backend?: string }): StudyOutputs {
  const envelope: StudyEnvelope<GradcamDepthResults> = {
    study: 'gradcam-depth', seed: meta.seed, quick: meta.quick, settings: { ...run.settings }, runtimeSeconds: meta.runtimeSeconds, backend: meta.backend,
    results: roundForJson(run.results),
  };
  const files: Record<string, Uint8Array> = {};
  const paths = new Map<OverlayExample, string>();
  const counts = new Map<string, number>();
  for (const e of run.examples) {
    const key = `${e.variant}-${e.arch}-${e.method}`;
    const k = counts.get(key) ?? 0;
    counts.set(key, k + 1);
    const p = figureName(e, k);
    files[p] = overlayPng(e);
    paths.set(e, p);
  }
  return { json: envelope, html: gradcamDepthHtml(run, envelope, paths), files };
}
