/**
 * Classification metrics on plain arrays (browser-safe, no tensors): accuracy, balanced accuracy,
 * confusion matrix, per-class precision/recall/F1, macro F1 and one-vs-rest AUROC with exact ties.
 */
import { InvalidInputError } from '../errors.js';

/** Per-class and summary metrics of a classifier on one labelled set. */
export interface ClassificationReport {
  classNames: string[];
  /** counts[true][pred]. */
  confusion: number[][];
  accuracy: number;
  balancedAccuracy: number;
  precision: number[];
  recall: number[];
  f1: number[];
  /** Samples per true class. */
  support: number[];
  macroF1: number;
  /** One-vs-rest AUROC per class (NaN when a class has no positives or no negatives), when scores are given. */
  auroc?: number[];
  /** Mean of the defined per-class AUROCs. */
  macroAuroc?: number;
}

function checkLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): void {
  if (yTrue.length !== yPred.length) {
    throw new InvalidInputError('yPred', `has ${yPred.length} labels but yTrue has ${yTrue.length}`);
  }
  for (const [name, arr] of [['yTrue', yTrue], ['yPred', yPred]] as const) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
        throw new InvalidInputError(name, `label ${v} at index ${i} is outside [0, ${numClasses})`);
      }
    }
  }
}

/** Confusion matrix counts[true][pred] for labels in [0, numClasses). */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  checkLabels(yTrue, yPred, numClasses);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Fraction of samples whose prediction equals the label (NaN for an empty set). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new InvalidInputError('yPred', `has ${yPred.length} labels but yTrue has ${yTrue.length}`);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) ok++;
  return yTrue.length ? ok / yTrue.length : NaN;
}

/** Precision, recall and F1 per class from a confusion matrix; 0 where undefined (as sklearn's zero_division=0). */
export function perClassScores(confusion: number[][]): { precision: number[]; recall: number[]; f1: number[]; support: number[] } {
  const k = confusion.length;
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += confusion[j][c];
      actual += confusion[c][j];
    }
    const p = predicted ? tp / predicted : 0;
    const r = actual ? tp / actual : 0;
    precision.push(p);
    recall.push(r);
    f1.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
    support.push(actual);
  }
  return { precision, recall, f1, support };
}

/** Mean recall over the classes present in yTrue. */
export function balancedAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number {
  const { recall, support } = perClassScores(confusionMatrix(yTrue, yPred, numClasses));
  const present = recall.filter((_, c) => support[c] > 0);
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN;
}

/** Unweighted mean of per-class F1 over all classes. */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number {
  const { f1 } = perClassScores(confusionMatrix(yTrue, yPred, numClasses));
  return f1.reduce((a, b) => a + b, 0) / numClasses;
}

/**
 * Binary AUROC = P(score of a positive > score of a negative) + 0.5 P(tie), computed exactly in
 * O(n log n) with mid-ranks (Mann-Whitney U). NaN when there are no positives or no negatives.
 */
export function binaryAuroc(isPositive: ArrayLike<boolean | number>, scores: ArrayLike<number>): number {
  const n = scores.length;
  if (isPositive.length !== n) throw new InvalidInputError('scores', `has ${n} values but labels have ${isPositive.length}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new InvalidInputError('scores', `value ${scores[i]} at index ${i} is not finite`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1; // 1-based average rank of the tie block
    for (let t = i; t <= j; t++) {
      if (isPositive[order[t]]) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * One-vs-rest AUROC per class from scores [N, K] (row-major probabilities or logits), and their
 * macro mean over classes where it is defined.
 */
export function aurocOneVsRest(yTrue: ArrayLike<number>, scores: ArrayLike<number>, numClasses: number): { perClass: number[]; macro: number } {
  const n = yTrue.length;
  if (scores.length !== n * numClasses) {
    throw new InvalidInputError('scores', `has ${scores.length} values, expected ${n} x ${numClasses}`);
  }
  checkLabels(yTrue, yTrue, numClasses);
  const perClass: number[] = [];
  const col = new Float64Array(n);
  const pos = new Uint8Array(n);
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < n; i++) {
      col[i] = scores[i * numClasses + c];
      pos[i] = yTrue[i] === c ? 1 : 0;
    }
    perClass.push(binaryAuroc(pos, col));
  }
  const defined = perClass.filter((v) => !Number.isNaN(v));
  return { perClass, macro: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : NaN };
}

/** Index of the largest score in each row of a row-major [N, K] array. */
export function argmaxRows(scores: ArrayLike<number>, numClasses: number): Int32Array {
  const n = Math.floor(scores.length / numClasses);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (scores[i * numClasses + c] > scores[i * numClasses + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Every metric at once; `scores` [N, K] (optional) adds AUROC. */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classNames: string[],
  scores?: ArrayLike<number>,
): ClassificationReport {
  const k = classNames.length;
  const confusion = confusionMatrix(yTrue, yPred, k);
  const { precision, recall, f1, support } = perClassScores(confusion);
  const present = recall.filter((_, c) => support[c] > 0);
  const report: ClassificationReport = {
    classNames,
    confusion,
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
    precision,
    recall,
    f1,
    support,
    macroF1: f1.reduce((a, b) => a + b, 0) / k,
  };
  if (scores) {
    const a = aurocOneVsRest(yTrue, scores, k);
    report.auroc = a.perClass;
    report.macroAuroc = a.macro;
  }
  return report;
}

/** A plain-text table of per-class precision/recall/F1/support plus summary lines. */
export function formatReport(r: ClassificationReport): string {
  const w = Math.max(5, ...r.classNames.map((c) => c.length));
  const f = (v: number) => (Number.isNaN(v) ? '  n/a' : v.toFixed(3));
  const lines = [`${'class'.padEnd(w)}  precision  recall  f1     support${r.auroc ? '  auroc' : ''}`];
  r.classNames.forEach((c, i) => {
    lines.push(
      `${c.padEnd(w)}  ${f(r.precision[i]).padStart(9)}  ${f(r.recall[i]).padStart(6)}  ${f(r.f1[i])}  ${String(r.support[i]).padStart(7)}` +
        (r.auroc ? `  ${f(r.auroc[i])}` : ''),
    );
  });
  lines.push(`accuracy ${f(r.accuracy)}  balanced accuracy ${f(r.balancedAccuracy)}  macro F1 ${f(r.macroF1)}` + (r.macroAuroc !== undefined ? `  macro AUROC ${f(r.macroAuroc)}` : ''));
  return lines.join('\n');
}
