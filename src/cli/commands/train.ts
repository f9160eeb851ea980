/**
 * `medlens train ecg`: trains an ECG beat classifier on MIT-BIH (AAMI classes, record-level
 * held-out part) or on synthetic beats, prints per-class F1 on the held-out part and writes the
 * model folder, metrics.json and report.html into --out.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { initNodeBackend } from '../../backend/node.js';
import { InvalidInputError } from '../../errors.js';
import { listArchitectures } from '../../models/zoo.js';
import type { ModelArch } from '../../models/types.js';
import { saveModelFolder } from '../../node/models.js';
import { FileCheckpointStore } from '../../node/checkpoints.js';
import { writeFileAtomic } from '../../node/fs.js';
import { formatReport } from '../../train/metrics.js';
import { trainingReport } from '../../report/training.js';
import { createProgressReporter } from '../progress-bar.js';
import { runEcgTraining, type EcgRunResult } from '../ecg-pipeline.js';
import { parseInteger, parseNumber, parseList, backendOption } from '../options.js';

interface TrainEcgFlags {
  data?: string;
  synthetic?: boolean;
  records?: string;
  testRecords?: string;
  testFraction: string;
  valFraction: string;
  lead?: string;
  n: string;
  fs: string;
  before: string;
  after: string;
  classes?: string;
  maxPerClass?: string;
  rrFeatures: boolean;
  arch: string;
  depth?: string;
  width?: string;
  epochs: string;
  batchSize: string;
  lr: string;
  seed: string;
  classWeights: string;
  patience?: string;
  out: string;
  resume?: boolean;
  backend?: string;
}

/** Writes model, metrics.json and report.html of a finished run into `out`. */
export async function writeRunOutputs(
  out: string,
  run: EcgRunResult,
  title: string,
  settings: Record<string, string | number>,
  extra: Parameters<typeof trainingReport>[0]['traces'] = [],
  explanation?: Parameters<typeof trainingReport>[0]['explanation'],
): Promise<void> {
  await saveModelFolder(path.join(out, 'model'), run.model, run.metadata);
  const ev = run.evaluation;
  const metrics = {
    heldOutGroups: run.testGroups,
    classNames: ev.classNames,
    f1: ev.f1,
    precision: ev.precision,
    recall: ev.recall,
    support: ev.support,
    auroc: ev.auroc,
    accuracy: ev.accuracy,
    balancedAccuracy: ev.balancedAccuracy,
    macroF1: ev.macroF1,
    macroAuroc: ev.macroAuroc,
    confusion: ev.confusion,
    history: run.fit.history,
    bestEpoch: run.fit.bestEpoch,
    settings,
  };
  writeFileAtomic(path.join(out, 'metrics.json'), JSON.stringify(metrics, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  const html = trainingReport({
    title,
    settings,
    history: run.fit.history,
    evaluation: ev,
    evaluationLabel: run.testGroups ? `held-out records ${run.testGroups.join(', ')}` : 'held-out beats',
    traces: extra,
    explanation,
  });
  writeFileAtomic(path.join(out, 'report.html'), html);
}

/** Registers `medlens train` (subcommand `ecg`) on the program. */
export function registerTrainCommand(program: Command): void {
  const train = program.command('train').description('train a model');
  train
    .command('ecg')
    .description('train an ECG beat classifier (MIT-BIH AAMI classes with a record-level held-out part, or synthetic beats)')
    .option('--data <dir>', 'MIT-BIH folder with WFDB records (.hea/.dat/.atr)')
    .option('--synthetic', 'train on generated synthetic beats instead of --data')
    .option('--records <list>', 'comma-separated records to load (default: the 22 DS1 records)')
    .option('--test-records <list>', 'records held out for testing (default: a seeded record-level split)')
    .option('--test-fraction <f>', 'fraction of beats (whole records) held out for testing', '0.25')
    .option('--val-fraction <f>', 'fraction of the training beats (whole records) used for validation', '0.2')
    .option('--lead <name>', 'MIT-BIH lead name (default MLII)')
    .option('--n <count>', 'synthetic: number of training beats', '2000')
    .option('--fs <hz>', 'sampling rate of the beat windows (MIT-BIH is resampled)', '50')
    .option('--before <s>', 'window before the R peak in seconds', '0.3')
    .option('--after <s>', 'window after the R peak in seconds', '0.45')
    .option('--classes <list>', 'MIT-BIH: AAMI classes to keep, in label order', 'N,S,V,F')
    .option('--max-per-class <count>', 'MIT-BIH: at most this many beats per class per record')
    .option('--no-rr-features', 'MIT-BIH: do not add the prev/next RR interval (over the record mean) as input channels')
    .option('--arch <name>', 'model architecture (ecg-lstm, ecg-gru, ecg-cnn)', 'ecg-lstm')
    .option('--depth <count>', 'recurrent layers / conv blocks (default: the architecture default)')
    .option('--width <factor>', 'width multiplier')
    .option('--epochs <count>', 'training epochs', '10')
    .option('--batch-size <count>', 'mini-batch size', '32')
    .option('--lr <rate>', 'Adam learning rate', '0.003')
    .option('--seed <int>', 'seed of splits, shuffling and initial weights', '0')
    .option('--class-weights <mode>', 'balanced or none', 'balanced')
    .option('--patience <epochs>', 'early stopping on validation macro F1 after this many epochs without improvement')
    .option('--out <dir>', 'output folder (model/, metrics.json, report.html, checkpoint)', 'medlens-train-ecg')
    .option('--resume', 'continue from the checkpoint in --out')
    .addOption(backendOption())
    .action(async (flags: TrainEcgFlags) => {
      if (!flags.data && !flags.synthetic) throw new InvalidInputError('train ecg', 'give --data <mitdb folder> or --synthetic');
      if (flags.data && flags.synthetic) throw new InvalidInputError('train ecg', '--data and --synthetic exclude each other');
      const archs = listArchitectures().map((a) => a.name as string);
      if (!archs.includes(flags.arch)) throw new InvalidInputError('--arch', `unknown architecture '${flags.arch}' (known: ${archs.join(', ')})`);
      const cw = flags.classWeights;
      if (cw !== 'balanced' && cw !== 'none') throw new InvalidInputError('--class-weights', `'${cw}' must be balanced or none`);
      const backend = await initNodeBackend(flags.backend);
      const progress = createProgressReporter();
      const log = (line: string) => process.stderr.write(line + '\n');
      const store = new FileCheckpointStore(path.join(flags.out, 'checkpoint'));
      const options = {
        data: flags.data,
        records: flags.records ? parseList(flags.records) : undefined,
        testRecords: flags.testRecords ? parseList(flags.testRecords) : undefined,
        testFraction: parseNumber('--test-fraction', flags.testFraction, 0, 1, true),
        valFraction: parseNumber('--val-fraction', flags.valFraction, 0, 1, true),
        lead: flags.lead,
        n: parseInteger('--n', flags.n, 10),
        fs: parseNumber('--fs', flags.fs, 20, 1000),
        before: parseNumber('--before', flags.before, 0, 5),
        after: parseNumber('--after', flags.after, 0, 5),
        classes: flags.classes ? parseList(flags.classes) : undefined,
        maxPerClassPerRecord: flags.maxPerClass ? parseInteger('--max-per-class', flags.maxPerClass, 1) : undefined,
        rrFeatures: flags.rrFeatures,
        arch: flags.arch as ModelArch,
        depth: flags.depth ? parseInteger('--depth', flags.depth, 1, 16) : undefined,
        width: flags.width ? parseNumber('--width', flags.width, 0.01, 16) : undefined,
        epochs: parseInteger('--epochs', flags.epochs, 1),
        batchSize: parseInteger('--batch-size', flags.batchSize, 1),
        learningRate: parseNumber('--lr', flags.lr, 0, 10, true),
        seed: parseInteger('--seed', flags.seed, 0),
        classWeights: cw,
        patience: flags.patience ? parseInteger('--patience', flags.patience, 1) : undefined,
      } as const;
      log(`backend: ${backend.name} (${backend.threads} thread${backend.threads === 1 ? '' : 's'})`);
      const t0 = Date.now();
      const run = await runEcgTraining({ ...options, checkpoints: store, resume: flags.resume, onProgress: progress.onProgress, log });
      progress.stop();
      const seconds = (Date.now() - t0) / 1000;
      const settings: Record<string, string | number> = {
        data: flags.data ?? 'synthetic',
        arch: options.arch,
        epochs: `${run.fit.history.length} run, weights of epoch ${run.fit.bestEpoch}`,
        'batch size': options.batchSize,
        'learning rate': options.learningRate,
        seed: options.seed,
        'window (s)': `${options.before} before, ${options.after} after the R peak at ${options.fs} Hz`,
        'class weights': cw,
        'RR features': flags.data && flags.rrFeatures ? 'prev/next RR over the record mean as 2 extra channels' : 'none',
        backend: backend.name,
        'time (s)': Number(seconds.toFixed(1)),
      };
      if (run.fit.validationGroups) settings['validation records'] = run.fit.validationGroups.join(' ');
      await writeRunOutputs(flags.out, run, `ECG beat classifier (${options.arch})`, settings);
      store.clear();
      process.stdout.write(`held-out ${run.testGroups ? `records ${run.testGroups.join(' ')}` : 'beats'}: ${run.test.shape[0]} beats\n${formatReport(run.evaluation)}\n`);
      process.stdout.write(`wrote ${path.join(flags.out, 'model')}, metrics.json, report.html (${seconds.toFixed(1)} s)\n`);
      run.model.dispose();
    });
}
