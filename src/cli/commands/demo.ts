/**
 * `medlens demo`: the embedded end-to-end run. Generates synthetic ECG beats (N, S, V with known
 * wave labels), trains a small LSTM, predicts held-out beats and writes report.html (training
 * curves, confusion matrix, per-class F1, example traces with predictions, integrated-gradients
 * relevance per wave with coloured traces) and the model folder.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { initNodeBackend } from '../../backend/node.js';
import { formatReport } from '../../train/metrics.js';
import { softmaxRows } from '../../train/predict.js';
import type { TraceExample } from '../../report/training.js';
import { createProgressReporter } from '../progress-bar.js';
import { runEcgTraining, type EcgRunResult } from '../ecg-pipeline.js';
import { writeRunOutputs } from './train.js';
import { parseInteger, backendOption } from '../options.js';
import { explainDemoBeats } from '../demo-explain.js';
import { writeFileAtomic } from '../../node/fs.js';

/** Settings of the full and the --quick demo. */
export const DEMO_SETTINGS = {
  full: { n: 2000, epochs: 8 },
  quick: { n: 300, epochs: 2 },
} as const;

/** Indices of the first `perClass` held-out beats of each class, class by class. */
export function exampleIndices(run: EcgRunResult, perClass = 2): number[] {
  const { y, classNames } = run.test;
  return classNames.flatMap((_, c) => [...y.keys()].filter((i) => y[i] === c).slice(0, perClass));
}

/** The held-out beats at `indices` as report traces with their predictions. */
export function exampleTraces(run: EcgRunResult, indices: number[]): TraceExample[] {
  const { test, testLogits, testRaw } = run;
  const k = test.classNames.length;
  const t = test.shape[1];
  const probs = softmaxRows(testLogits, k);
  return indices.map((i) => {
    let pred = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + pred]) pred = j;
    return {
      signal: testRaw.subarray(i * t, (i + 1) * t),
      fs: test.fs,
      trueClass: test.classNames[test.y[i]],
      predictedClass: test.classNames[pred],
      probability: probs[i * k + pred],
      highlight: test.waves?.subarray(i * t, (i + 1) * t),
      highlightNames: test.waves ? { 1: 'P wave', 2: 'QRS', 3: 'T wave' } : undefined,
    };
  });
}

/** Registers `medlens demo` on the program. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('train a small LSTM on synthetic ECG and write report.html + the model (no data needed)')
    .option('--out <dir>', 'output folder', 'medlens-demo')
    .option('--quick', 'a few-second run (tiny data, 2 epochs) to check the setup')
    .option('--seed <int>', 'seed of data, split, shuffling and weights', '0')
    .addOption(backendOption())
    .action(async (flags: { out: string; quick?: boolean; seed: string; backend?: string }) => {
      const t0 = Date.now();
      const seed = parseInteger('--seed', flags.seed, 0);
      const backend = await initNodeBackend(flags.backend);
      const log = (line: string) => process.stderr.write(line + '\n');
      log(`backend: ${backend.name} (${backend.threads} thread${backend.threads === 1 ? '' : 's'})`);
      const s = flags.quick ? DEMO_SETTINGS.quick : DEMO_SETTINGS.full;
      const progress = createProgressReporter();
      const options = {
        n: s.n,
        epochs: s.epochs,
        fs: 50,
        before: 0.3,
        after: 0.45,
        testFraction: 0.25,
        valFraction: 0.2,
        arch: 'ecg-lstm',
        depth: 1,
        batchSize: 32,
        learningRate: 0.003,
        seed,
        classWeights: 'balanced',
      } as const;
      const run = await runEcgTraining({ ...options, onProgress: progress.onProgress, log });
      progress.stop();
      const seconds = (Date.now() - t0) / 1000;
      const settings: Record<string, string | number> = {
        data: `synthetic beats: ${options.n} for training (20% of them for validation), ${run.test.shape[0]} generated separately for testing`,
        model: 'ecg-lstm, 1 LSTM layer of 32 units, dense 32, logits',
        epochs: options.epochs,
        'window (s)': `${options.before} before, ${options.after} after the R peak at ${options.fs} Hz`,
        seed,
        backend: backend.name,
        'time (s)': Number(seconds.toFixed(1)),
      };
      const picks = exampleIndices(run);
      log('explaining held-out beats (integrated gradients)');
      const explained = await explainDemoBeats(run, picks, flags.quick ? 5 : 20);
      for (const p of explained.pictures) writeFileAtomic(path.join(flags.out, 'explanations', p.name), p.png);
      await writeRunOutputs(flags.out, run, 'medlens demo: ECG beat classifier on synthetic data', settings, exampleTraces(run, picks), explained.section);
      process.stdout.write(`${formatReport(run.evaluation)}\n`);
      process.stdout.write(`relevance share (${explained.method}) per class: ${explained.shares.map((s) => `${s.className}: P ${s.p.toFixed(2)} QRS ${s.qrs.toFixed(2)} T ${s.t.toFixed(2)} on-truth ${s.onTruth.toFixed(2)}`).join('; ')}\n`);
      process.stdout.write(`wrote ${path.join(flags.out, 'report.html')} and ${path.join(flags.out, 'model')} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      run.model.dispose();
    });
}
