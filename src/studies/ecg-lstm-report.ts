/**
 * Outputs of the ECG-LSTM study (browser-safe): results.json (rounded), report.html with the
 * method table, the verdict, deletion curves, per-wave relevance bars, randomisation curves and
 * coloured ECG traces per method (PNG files under figures/, referenced from the report).
 */
import { HtmlReport } from '../report/html.js';
import { barChart, linePlot } from '../report/svg.js';
import { ecgPicturePng } from '../report/ecg-image.js';
import { roundForJson, type StudyOutputs } from './common.js';
import type { DatasetResult, EcgLstmStudyResult } from './ecg-lstm.js';

/** Delineator accuracy against LUDB expert annotations (computed by the Node side). */
export interface DelineatorCheck {
  record: string;
  lead: string;
  fs: number;
  /** Per wave: matched annotated waves, their count, F1 of the per-sample labels, mean |onset| and |offset| errors in ms. */
  waves: { wave: 'P' | 'QRS' | 'T'; annotated: number; detected: number; matched: number; sampleF1: number; onsetErrorMs: number; offsetErrorMs: number }[];
}

/** Metadata of a run that is not part of the results. */
export interface RunInfo {
  command: string;
  backend?: string;
  runtimeSeconds: number;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Builds results.json, report.html and the trace PNGs of a study run. */
export function ecgLstmOutputs(r: EcgLstmStudyResult, info: RunInfo, delineator?: DelineatorCheck): StudyOutputs {
  const files: Record<string, Uint8Array> = {};
  const report = new HtmlReport('medlens study ecg-lstm: explaining an ECG LSTM');
  report.paragraph(
    `Command: ${info.command}. Mode ${r.mode}, seed ${r.seed}, backend ${info.backend ?? 'unknown'}, runtime ${info.runtimeSeconds.toFixed(0)} s. ` +
      `All numbers come from this run; timings vary between runs, everything else is deterministic from the seed.`,
    'meta',
  );
  report.heading('How the methods are scored');
  report.paragraph(
    `Deletion: held-out beats lose their most relevant samples first; deleted samples are replaced by ROAD's noisy linear imputation ` +
      `(Rong et al. 2022; the same replacement for every method, so no method is judged on zero-artefacts and none on its own perturbation: ` +
      `the learned mask optimises against a blurred copy, generative occlusion uses the autoencoder infill). Scores are the softmax ` +
      `probability of the true class; AUC over the deleted fraction (lower = more faithful) and the drop at ${Math.round(r.settings.dropFraction * 100)}% deleted ` +
      `(higher = more faithful). Localisation uses |attribution| against the exact relevant samples (synthetic: the P-wave and QRS supports that ` +
      `change with the class) or against the delineated P/QRS/T windows (MIT-BIH). Sanity: cascading model parameter randomisation, ` +
      `mean Spearman similarity of |maps| (lower = the map depends on the weights, as it should). Grad-CAM runs on the 1D-CNN (the LSTM has no feature map). ` +
      `Inputs are standardised with the training mean and std, so "zero" occlusion replaces samples by the training mean.`,
  );
  const warnings = r.datasets.flatMap((d) => d.warnings.map((w) => `[${d.name}] ${w}`));
  if (r.datasets.length) {
    const all = r.datasets.every((d) => d.verdict.holds);
    report.heading('Verdict');
    report.paragraph(
      warnings.length
        ? `Competence checks (held-out balanced accuracy >= ${r.settings.competenceThreshold} per classifier, generative infill better than linear interpolation) FAILED: ${warnings.join(' ')}`
        : `Competence checks passed: every classifier reached a held-out balanced accuracy >= ${r.settings.competenceThreshold} and the generative infill beat linear interpolation.`,
      warnings.length ? 'warning' : undefined,
    );
    report.paragraph(`"The learned mask gives the largest score drop and the most plausible maps" ${all ? 'holds on every dataset of this run' : `does not hold on ${r.datasets.filter((d) => !d.verdict.holds).map((d) => d.name).join(' and ')}`}.`);
    for (const d of r.datasets) {
      report.paragraph(`${d.name}, all methods: ${d.verdict.statement}`);
      report.paragraph(`${d.name}, LSTM methods only (Grad-CAM explains the 1D-CNN, another model): ${d.verdictLstmOnly.statement}`);
    }
  }
  for (const d of r.datasets) datasetSection(report, d, r, files);
  if (r.realSkipped) report.heading('MIT-BIH').paragraph(r.realSkipped);
  if (delineator) {
    report.heading(`Delineator accuracy (LUDB record ${delineator.record}, lead ${delineator.lead}, ${delineator.fs} Hz)`);
    report.table(
      ['wave', 'annotated', 'detected', 'matched', 'per-sample F1', 'mean |onset error| ms', 'mean |offset error| ms'],
      delineator.waves.map((w) => [w.wave, w.annotated, w.detected, w.matched, w.sampleF1, w.onsetErrorMs, w.offsetErrorMs]),
      2,
    );
  }
  const json = roundForJson({
    study: 'ecg-lstm', seed: r.seed, quick: r.mode === 'quick', settings: { ...r.settings, deletionReplacement: r.deletionReplacement },
    runtimeSeconds: info.runtimeSeconds, ...(info.backend ? { backend: info.backend } : {}),
    results: { warnings, datasets: r.datasets, ...(r.realSkipped ? { realSkipped: r.realSkipped } : {}), ...(delineator ? { delineator } : {}) },
  });
  return { json, html: report.render(), files };
}

function datasetSection(report: HtmlReport, d: DatasetResult, r: EcgLstmStudyResult, files: Record<string, Uint8Array>): void {
  report.heading(`${d.name === 'synthetic' ? 'Synthetic beats (exact relevance)' : 'MIT-BIH DS1 beats (AAMI classes, record-level split)'}`);
  report.paragraph(`${d.source}. ${d.trainBeats} training beats, ${d.testBeats} held-out beats${d.testGroups ? ` (records ${d.testGroups.join(' ')})` : ''}, classes ${d.classNames.join('/')}, ${d.explainedBeats} beats explained (stratified by class).`);
  report.table(
    ['model', 'epochs', 'best epoch', 'train s', 'accuracy', 'balanced accuracy', 'macro F1', 'macro AUROC'],
    (['lstm', 'cnn'] as const).map((k) => {
      const m = d.models[k];
      return [k === 'lstm' ? 'ECG LSTM' : '1D-CNN', m.epochs, m.bestEpoch, m.trainSeconds, m.accuracy, m.balancedAccuracy, m.macroF1, m.macroAuroc];
    }),
  );
  report.paragraph(
    `Training: Adam ${r.settings.learningRate}, batch ${r.settings.batchSize}, balanced class weights, at most ${r.settings.epochs} epochs, early stopping on validation macro-F1 ` +
      `(15% of the training beats${d.name === 'mitbih' ? ', by record' : ''}; patience ${r.settings.patience}, best weights kept). Confusion (rows true, columns predicted, ${d.classNames.join('/')}): ` +
      `LSTM ${JSON.stringify(d.models.lstm.confusion)}, 1D-CNN ${JSON.stringify(d.models.cnn.confusion)}.`,
  );
  report.paragraph(
    `Generative infill (1D conv autoencoder, ${d.infill.steps} steps; loss ${d.infill.losses.first.toFixed(2)} at the first step, ${d.infill.losses.last50Mean.toFixed(2)} over the last 50, max ${d.infill.losses.max.toFixed(2)}): ` +
      `MSE inside random holes of held-out beats ${d.infill.mse.model.toFixed(3)} vs zero fill ${d.infill.mse.zeros.toFixed(3)} vs linear interpolation ${d.infill.mse.linear.toFixed(3)} (standardised units).`,
  );
  for (const w of d.warnings) report.paragraph(w, 'warning');
  const pct = Math.round(r.settings.dropFraction * 100);
  report.table(
    ['method', 'model', 'deletion AUC ↓', `score drop @${pct}% ↑`, 'mass accuracy ↑', 'rank accuracy ↑', 'loc. AUC ↑', 'P', 'QRS', 'T', 'outside', 'MPRT similarity ↓', 'ms / beat'],
    d.methods.map((m) => [
      m.name, m.model === 'lstm' ? 'LSTM' : '1D-CNN', m.deletion.auc, m.deletion.scoreDrop, m.localisation.relevanceMassAccuracy, m.localisation.relevanceRankAccuracy,
      m.localisation.auc, m.waveFractions.P, m.waveFractions.QRS, m.waveFractions.T, m.waveFractions.outside, m.randomisation.meanSimilarity, m.secondsPerBeat * 1000,
    ]),
  );
  report.paragraph(`Verdict: ${d.verdict.statement}`);
  report.paragraph(`LSTM methods only: ${d.verdictLstmOnly.statement}`);
  report.figures([
    {
      svg: linePlot(d.methods.map((m) => ({ name: m.name, values: m.deletion.meanCurve, x: m.deletion.fractions })), { title: 'Deletion curves', xLabel: 'fraction deleted', yLabel: 'p(true class)', width: 560, height: 300 }),
      caption: 'Mean probability of the true class as the most relevant samples are deleted (ROAD imputation).',
    },
    {
      svg: linePlot(d.methods.map((m) => ({ name: m.name, values: m.randomisation.perLayer, x: m.randomisation.perLayer.map((_, i) => i + 1) })), { title: 'Cascading randomisation', xLabel: 'layers randomised (top first)', yLabel: 'Spearman similarity', width: 420, height: 300 }),
      caption: 'Similarity of the maps after randomising the top k layers.',
    },
  ]);
  report.figures(d.methods.map((m) => ({
    svg: barChart(['outside', 'P', 'QRS', 'T'], [m.waveFractions.outside, m.waveFractions.P, m.waveFractions.QRS, m.waveFractions.T], { title: m.name, yMax: 1, width: 240, height: 180 }),
    caption: `${m.name}: share of |relevance| per wave`,
  })));
  for (const t of d.traces) {
    const items: { svg: string; caption?: string }[] = [];
    for (const m of d.methods) {
      const file = `figures/${d.name}-${slug(t.label)}-${slug(m.name)}.png`;
      files[file] = ecgPicturePng(t.signal, 1, t.maps[m.name].map(Math.abs), { width: 360, height: 90, waves: t.waves });
      items.push({ svg: `<img src="${file}" width="360" height="90" alt="${slug(m.name)}">`, caption: m.name });
    }
    report.paragraph(`Held-out ${t.label} beat (explained beat ${t.index}): |relevance| colour (jet), background bands P (blue) / QRS (red) / T (green).`);
    report.figures(items);
  }
}
