/**
 * The standard report of a training run (browser-safe): settings, training curves, per-class F1
 * bars, metrics table, confusion matrix and optionally example ECG traces with predictions.
 */
import type { EpochRecord } from '../train/checkpoint.js';
import type { ClassificationReport } from '../train/metrics.js';
import { HtmlReport } from './html.js';
import { barChart, ecgTrace, linePlot, type Series } from './svg.js';

/** An example trace for the report: a signal with its true and predicted class. */
export interface TraceExample {
  signal: ArrayLike<number>;
  fs?: number;
  trueClass: string;
  predictedClass: string;
  probability: number;
  /** Per-sample highlight codes (e.g. ground-truth waves 1 = P, 2 = QRS, 3 = T). */
  highlight?: ArrayLike<number>;
  highlightNames?: Record<number, string>;
}

/** What `trainingReport` shows. */
export interface TrainingReportInput {
  title: string;
  settings: Record<string, string | number>;
  history: EpochRecord[];
  /** Metrics on the held-out part. */
  evaluation: ClassificationReport;
  evaluationLabel?: string;
  traces?: TraceExample[];
  notes?: string[];
  /** A section of explanations: notes, a table and pictures (e.g. relevance-coloured traces). */
  explanation?: ReportSection;
}

/** A free-form report section. */
export interface ReportSection {
  heading: string;
  notes?: string[];
  table?: { header: string[]; rows: (string | number)[][] };
  images?: { png: Uint8Array; caption?: string }[];
}

/** Builds the HTML report of a training run. */
export function trainingReport(input: TrainingReportInput): string {
  const r = new HtmlReport(input.title);
  for (const note of input.notes ?? []) r.paragraph(note, 'meta');
  r.heading('Settings').keyValues(input.settings);
  const epochs = input.history.map((h) => h.epoch);
  const loss: Series[] = [{ name: 'train loss', x: epochs, values: input.history.map((h) => h.loss) }];
  const acc: Series[] = [{ name: 'train accuracy', x: epochs, values: input.history.map((h) => h.accuracy) }];
  if (input.history.some((h) => h.valLoss !== undefined)) {
    loss.push({ name: 'validation loss', x: epochs, values: input.history.map((h) => h.valLoss ?? NaN) });
    acc.push({ name: 'val. accuracy', x: epochs, values: input.history.map((h) => h.valAccuracy ?? NaN) });
    acc.push({ name: 'val. macro F1', x: epochs, values: input.history.map((h) => h.valMacroF1 ?? NaN) });
  }
  r.heading('Training curves').figures([
    { svg: linePlot(loss, { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy' }) },
    { svg: linePlot(acc, { title: 'Accuracy and F1', xLabel: 'epoch' }) },
  ]);
  const ev = input.evaluation;
  r.heading(`Results on ${input.evaluationLabel ?? 'the held-out set'}`)
    .figures([{ svg: barChart(ev.classNames, ev.f1, { title: 'F1 per class', yMax: 1 }) }])
    .metrics(ev)
    .paragraph('Confusion matrix (rows: true class, columns: predicted; shade = fraction of the row):')
    .confusion(ev.confusion, ev.classNames);
  if (input.traces?.length) {
    r.heading('Example held-out traces').figures(
      input.traces.map((t) => ({
        svg: ecgTrace(t.signal, {
          fs: t.fs,
          highlight: t.highlight,
          highlightNames: t.highlightNames,
          title: `true ${t.trueClass}, predicted ${t.predictedClass} (p=${t.probability.toFixed(2)})`,
          color: t.trueClass === t.predictedClass ? '#222' : '#c00',
          width: 320,
          height: 170,
        }),
      })),
    );
  }
  const ex = input.explanation;
  if (ex) {
    r.heading(ex.heading);
    for (const note of ex.notes ?? []) r.paragraph(note);
    if (ex.table) r.table(ex.table.header, ex.table.rows);
    if (ex.images?.length) r.images(ex.images);
  }
  return r.render();
}
