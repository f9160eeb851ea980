/**
 * The explanation step of `medlens demo`: integrated gradients on held-out synthetic beats, relevance
 * aggregated per P wave / QRS / T wave from the generator's exact wave labels, the share of relevance
 * on the truly class-relevant samples, and relevance-coloured trace pictures.
 */
import { tf } from '../backend/tf.js';
import { explain } from '../explain/explain.js';
import { aggregateEcgRelevance } from '../explain/ecg-aggregate.js';
import { ecgPicturePng } from '../report/ecg-image.js';
import type { ReportSection } from '../report/training.js';
import type { EcgRunResult } from './ecg-pipeline.js';

/** Per-class mean relevance shares, as shown in the demo report. */
export interface WaveShares {
  className: string;
  beats: number;
  p: number;
  qrs: number;
  t: number;
  outside: number;
  /** Share of |relevance| on the samples that truly decide the class (generator's relevance mask). */
  onTruth: number;
}

/** What the explanation step produces. */
export interface DemoExplanation {
  method: string;
  shares: WaveShares[];
  section: ReportSection;
  pictures: { name: string; png: Uint8Array }[];
}

/**
 * Explains up to `perClass` held-out beats of each class (for the table) with integrated gradients
 * towards the true class, and draws `pictures` of them (indices into the test set).
 */
export async function explainDemoBeats(run: EcgRunResult, pictures: number[], perClass = 20): Promise<DemoExplanation> {
  const { test, testRaw } = run;
  const waves = test.waves;
  const truth = (test as { relevance?: Uint8Array }).relevance;
  const [, t, c] = test.shape;
  const k = test.classNames.length;
  const chosen: number[] = [];
  for (let cls = 0; cls < k; cls++) chosen.push(...[...test.y.keys()].filter((i) => test.y[i] === cls).slice(0, perClass));
  for (const i of pictures) if (!chosen.includes(i)) chosen.push(i);
  const x = tf.tensor3d(Float32Array.from(chosen.flatMap((i) => [...test.x.subarray(i * t * c, (i + 1) * t * c)])), [chosen.length, t, c]);
  const method = 'IntegratedGradients';
  const attribution = await explain(run.model, x, { method, target: chosen.map((i) => test.y[i]), steps: 32 });
  x.dispose();
  // |IG| per time step, summed over channels
  const perStep = attribution.withSign('absolute').sumChannels();
  const relevanceOf = (row: number) => perStep.sampleValues(row);
  const acc = test.classNames.map((className) => ({ className, beats: 0, p: 0, qrs: 0, t: 0, outside: 0, onTruth: 0 }));
  chosen.forEach((i, row) => {
    if (!waves) return;
    const rel = relevanceOf(row);
    const s = aggregateEcgRelevance(rel, { codes: waves.subarray(i * t, (i + 1) * t) });
    const a = acc[test.y[i]];
    a.beats++;
    a.p += s.waves.P.fraction;
    a.qrs += s.waves.QRS.fraction;
    a.t += s.waves.T.fraction;
    a.outside += s.waves.none.fraction;
    if (truth) {
      let on = 0, all = 0;
      for (let j = 0; j < t; j++) {
        all += rel[j];
        if (truth[i * t + j]) on += rel[j];
      }
      a.onTruth += all > 0 ? on / all : 0;
    }
  });
  const shares = acc.map((a) => (a.beats ? { ...a, p: a.p / a.beats, qrs: a.qrs / a.beats, t: a.t / a.beats, outside: a.outside / a.beats, onTruth: a.onTruth / a.beats } : a));
  const pics = pictures.map((i) => {
    const row = chosen.indexOf(i);
    const png = ecgPicturePng(testRaw.subarray(i * t * c, i * t * c + t * c), c, relevanceOf(row), { waves: waves?.subarray(i * t, (i + 1) * t), width: 360, height: 110 });
    return { name: `beat-${i}-${test.classNames[test.y[i]]}.png`, png, caption: `beat ${i}, class ${test.classNames[test.y[i]]}: |IG| colour (jet), bands P blue / QRS red / T green` };
  });
  const section: ReportSection = {
    heading: 'What the model looks at (integrated gradients)',
    notes: [
      `Integrated gradients (32 Gauss-Legendre steps, zero baseline) towards the true class on up to ${perClass} held-out beats per class. ` +
        'Shares are the fraction of |relevance| that falls on each wave (from the generator\'s exact wave labels), averaged over beats; ' +
        '"on true evidence" is the share on the samples whose values differ between the classes by construction (this beat\'s P wave and QRS, and neighbouring waves moved by the RR interval).',
    ],
    table: {
      header: ['class', 'beats', 'P wave', 'QRS', 'T wave', 'outside waves', 'on true evidence'],
      rows: shares.map((s) => [s.className, s.beats, s.p, s.qrs, s.t, s.outside, truth ? s.onTruth : 'n/a']),
    },
    images: pics.map(({ png, caption }) => ({ png, caption })),
  };
  return { method, shares, section, pictures: pics.map(({ name, png }) => ({ name, png })) };
}
