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

/** Decides the claim for one dataset's method results (ties count for the mask only if it is the first best). */
export function studyVerdict(methods: VerdictInput[], truth: 'exact' | 'delineated', maskMethod = MASK_METHOD): StudyVerdict {
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
      `most plausible (${criterion}): ${plaus.method} (${f(plaus.value)}; mask ${f(mask.localisation.relevanceMassAccuracy)}).`;
  return { maskMethod, largestScoreDrop: drop, lowestDeletionAuc: aucBest, mostPlausible: { ...plaus, criterion }, maskHasLargestDrop, maskMostPlausible, holds, statement };
}
