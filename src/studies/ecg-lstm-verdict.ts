/**
 * The study's claim, decided from the measured numbers: "the learned deletion mask gives the
 * largest score drop and the most plausible maps". Largest score drop = highest mean drop of the
 * explained class's probability when the top fraction of the beat is deleted; most plausible =
 * highest relevance mass accuracy against the true relevance (synthetic: exact; real: the
 * delineated P/QRS/T windows, a weaker proxy).
 */

/** What the verdict needs of each method's results. */
export interface VerdictInput {
  name: string;
  deletion: { scoreDrop: number; auc: number; dropFraction: number };
  localisation: { relevanceMassAccuracy: number };
}

/** The decision and the numbers behind it. */
export interface StudyVerdict {
  maskMethod: string;
  largestScoreDrop: { method: string; value: number };
  lowestDeletionAuc: { method: string; value: number };
  mostPlausible: { method: string; value: number; criterion: string };
  maskHasLargestDrop: boolean;
  maskMostPlausible: boolean;
  holds: boolean;
  /** Models behind these methods that failed the competence check (see `competenceCheck`); empty when all passed. */
  weakModels: string[];
  statement: string;
}

/** Name of the learned-mask row in the study's method list. */
export const MASK_METHOD = 'Learned deletion mask';

function best<T extends VerdictInput>(methods: T[], value: (m: T) => number, higher: boolean): { method: string; value: number } {
  let hit: { method: string; value: number } = { method: 'none', value: NaN };
  for (const m of methods) {
    const v = value(m);
    if (!Number.isFinite(v)) continue;
    if (!Number.isFinite(hit.value) || (higher ? v > hit.value : v < hit.value)) hit = { method: m.name, value: v };
  }
  return hit;
}

/**
 * Decides the claim for one dataset's method results (ties count for the mask only if it is the
 * first best). `weak` lists failed competence checks of the models behind `methods` (warning
 * lines); the statement then says that the verdict rests on weak models.
 */
export function studyVerdict(methods: VerdictInput[], truth: 'exact' | 'delineated', maskMethod = MASK_METHOD, weak: CompetenceWarning[] = []): StudyVerdict {
  const drop = best(methods, (m) => m.deletion.scoreDrop, true);
  const aucBest = best(methods, (m) => m.deletion.auc, false);
  const plaus = best(methods, (m) => m.localisation.relevanceMassAccuracy, true);
  const criterion = truth === 'exact' ? 'relevance mass accuracy vs the exact relevant samples' : 'relevance mass inside delineated P/QRS/T windows';
  const mask = methods.find((m) => m.name === maskMethod);
  const maskHasLargestDrop = drop.method === maskMethod;
  const maskMostPlausible = plaus.method === maskMethod;
  const holds = maskHasLargestDrop && maskMostPlausible;
  const frac = Math.round((methods[0]?.deletion.dropFraction ?? NaN) * 100);
  const f = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
  const statement = !mask
    ? `The learned mask was not run, so the claim cannot be checked.`
    : `The claim "the learned mask gives the largest score drop and the most plausible maps" ${holds ? 'HOLDS' : 'DOES NOT HOLD'} here: ` +
      `largest score drop at ${frac}% deleted: ${drop.method} (${f(drop.value)}; mask ${f(mask.deletion.scoreDrop)}); ` +
      `most plausible (${criterion}): ${plaus.method} (${f(plaus.value)}; mask ${f(mask.localisation.relevanceMassAccuracy)}).` +
      (weak.length ? ` CAUTION: this rests on weak models (${weak.map((w) => w.short).join('; ')}).` : '');
  return {
    maskMethod, largestScoreDrop: drop, lowestDeletionAuc: aucBest, mostPlausible: { ...plaus, criterion }, maskHasLargestDrop, maskMostPlausible, holds,
    weakModels: weak.map((w) => w.model), statement,
  };
}

/** One failed competence check. */
export interface CompetenceWarning {
  /** 'lstm', 'cnn' or 'infill'. */
  model: string;
  /** Short form for verdict statements, e.g. "ECG LSTM balanced accuracy 0.620 < 0.8". */
  short: string;
  /** The full warning for results.json and the report. */
  message: string;
}

/**
 * Competence of the models a dataset's verdict rests on: each classifier's held-out balanced
 * accuracy against `threshold`, and the generative infill's hole error against linear
 * interpolation. Why: explanation methods compared on a model that has not learnt the task say
 * little about the methods, so readers must see when a verdict rests on weak models.
 */
export function competenceCheck(
  models: { lstm: { balancedAccuracy: number }; cnn: { balancedAccuracy: number } },
  infillMse: { model: number; linear: number },
  threshold: number,
  numClasses: number,
): CompetenceWarning[] {
  const out: CompetenceWarning[] = [];
  const names = { lstm: 'ECG LSTM', cnn: '1D-CNN' } as const;
  for (const k of ['lstm', 'cnn'] as const) {
    const b = models[k].balancedAccuracy;
    if (!(b >= threshold)) {
      const short = `${names[k]} balanced accuracy ${b.toFixed(3)} < ${threshold}`;
      const rows = k === 'lstm' ? 'every LSTM method' : 'the Grad-CAM row';
      out.push({ model: k, short, message: `WARNING: the ${short} on held-out beats (chance ${(1 / numClasses).toFixed(3)}): ${rows} explains a model that has not learnt the task well, so verdicts involving it rest on a weak model.` });
    }
  }
  if (!(infillMse.model < infillMse.linear)) {
    const short = `generative infill MSE ${infillMse.model.toFixed(3)} >= linear interpolation ${infillMse.linear.toFixed(3)}`;
    out.push({ model: 'infill', short, message: `WARNING: ${short} in held-out holes: the "Occlusion (generative infill)" row uses an infill no better than linear interpolation.` });
  }
  return out;
}
