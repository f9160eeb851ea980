/**
 * `medlens study <name>`: runs a reproducible study and writes results.json, report.html and
 * its PNG figures into --out. Studies are browser-safe functions under src/studies; this file
 * adds the Node side: options, loading real data from disk, writing the outputs.
 *
 * gradcam-depth (native backend, 2 shared cores): --quick (32 px, 3 nets, 2 epochs, both variants
 * + Hannover) runs in about 5 s. The full preset (64 px, 8 nets at width 0.25, 2560 images, 5
 * epochs, the last at a tenth of the learning rate) took about 17.5 min for both variants.
 * `--variants clean` and `--variants confounder` can run as two processes: same numbers as one
 * run, since every part has its own seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { initNodeBackend } from '../../backend/node.js';
import { FileAccessError, InvalidInputError } from '../../errors.js';
import { readPngFile } from '../../node/data.js';
import { ensureDir, readText, writeFileAtomic } from '../../node/fs.js';
import { archInfo } from '../../models/zoo.js';
import type { ModelArch } from '../../models/types.js';
import type { StudyOutputs } from '../../studies/common.js';
import type { GradcamDepthSettings, HannoverInput, StudyVariant } from '../../studies/gradcam-depth-config.js';
import { runGradcamDepthStudy } from '../../studies/gradcam-depth.js';
import { gradcamDepthOutputs } from '../../studies/gradcam-depth-report.js';
import { createProgressReporter } from '../progress-bar.js';
import { runEcgLstmCommand, type EcgLstmFlags } from './study-ecg-lstm.js';
import { parseInteger, parseList, parseNumber, backendOption } from '../options.js';

/** Writes results.json, report.html and every extra file of a study into `out` (atomically). */
export function writeStudyOutputs(out: string, outputs: StudyOutputs): string[] {
  ensureDir(out);
  const written = [path.join(out, 'results.json'), path.join(out, 'report.html')];
  writeFileAtomic(written[0], JSON.stringify(outputs.json, null, 1) + '\n');
  writeFileAtomic(written[1], outputs.html);
  for (const [rel, bytes] of Object.entries(outputs.files)) {
    const file = path.join(out, rel);
    ensureDir(path.dirname(file));
    writeFileAtomic(file, bytes);
    written.push(file);
  }
  return written;
}

/**
 * Loads the Hannover chest X-rays: images/<id>.png with lung_masks/<id>.png (255 = lung), joined
 * on image_id with data.csv; the label is ICU admission (a non-empty icu_admission_offset).
 */
export function loadHannover(dir: string): HannoverInput {
  const csvFile = path.join(dir, 'data.csv');
  const lines = readText(csvFile).split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',') ?? [];
  const idCol = header.indexOf('image_id'), icuCol = header.indexOf('icu_admission_offset');
  if (idCol < 0 || icuCol < 0) throw new InvalidInputError(csvFile, 'needs the columns image_id and icu_admission_offset');
  const icu = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    icu.set(cells[idCol], cells[icuCol]?.trim() ? 1 : 0);
  }
  const imageDir = path.join(dir, 'images');
  if (!fs.existsSync(imageDir)) throw new FileAccessError(imageDir, 'folder not found');
  const ids = fs.readdirSync(imageDir).filter((f) => f.endsWith('.png')).map((f) => f.slice(0, -4)).filter((id) => icu.has(id)).sort();
  if (ids.length === 0) throw new InvalidInputError(imageDir, `no PNG whose id is in ${csvFile}`);
  const images = ids.map((id) => {
    const img = readPngFile(path.join(imageDir, `${id}.png`), { channels: 'grey', normalize: true });
    return { data: img.data, height: img.shape[0], width: img.shape[1] };
  });
  const lungMasks = ids.map((id) => {
    const m = readPngFile(path.join(dir, 'lung_masks', `${id}.png`), { channels: 'grey' });
    return Uint8Array.from(m.data, (v) => (v >= 255 ? 1 : 0));
  });
  return { ids, images, lungMasks, labels: Int32Array.from(ids, (id) => icu.get(id) as number), labelName: 'ICU admission', classNames: ['no ICU', 'ICU'] };
}

interface GradcamDepthFlags {
  quick?: boolean;
  seed: string;
  out: string;
  archs?: string;
  size?: string;
  width?: string;
  epochs?: string;
  nTrain?: string;
  nTest?: string;
  explain?: string;
  variants?: string;
  hannover?: string | false;
  backend?: string;
}

/** Setting overrides from the command line flags (unset flags keep the mode's preset). */
export function gradcamDepthOverrides(f: GradcamDepthFlags): Partial<GradcamDepthSettings> {
  const o: Partial<GradcamDepthSettings> = {};
  if (f.archs) o.archs = parseList(f.archs).map((a) => archInfo(a).name as ModelArch);
  if (f.size) o.size = parseInteger('--size', f.size, 16, 512);
  if (f.width) o.width = parseNumber('--width', f.width, 0, 4, true);
  if (f.epochs) o.epochs = parseInteger('--epochs', f.epochs, 1);
  if (f.nTrain) o.nTrain = parseInteger('--n-train', f.nTrain, 2);
  if (f.nTest) o.nTest = parseInteger('--n-test', f.nTest, 4);
  if (f.explain) o.explainCount = parseInteger('--explain', f.explain, 1);
  if (f.variants) {
    o.variants = parseList(f.variants).map((v) => {
      if (v !== 'clean' && v !== 'confounder') throw new InvalidInputError('--variants', `unknown variant '${v}' (clean, confounder)`);
      return v as StudyVariant;
    });
  }
  return o;
}

/** Runs `study gradcam-depth` with parsed flags; returns the files written. */
export async function runGradcamDepthCommand(f: GradcamDepthFlags, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<string[]> {
  const seed = parseInteger('--seed', f.seed, 0, 2 ** 31 - 1);
  const overrides = gradcamDepthOverrides(f);
  const backend = await initNodeBackend(f.backend);
  let hannover: HannoverInput | undefined;
  const dir = f.hannover === false ? undefined : f.hannover ?? path.resolve('..', 'shared', 'data', 'cxr', 'hannover');
  if (dir && fs.existsSync(path.join(dir, 'data.csv'))) hannover = loadHannover(dir);
  else if (dir) log(`hannover data not found at ${dir}: real-data check skipped (--hannover <dir>)`);
  const progress = createProgressReporter();
  const t0 = Date.now();
  let run;
  try {
    run = await runGradcamDepthStudy({ seed, quick: f.quick ?? false, overrides, hannover, onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
  const outputs = gradcamDepthOutputs(run, { seed, quick: f.quick ?? false, runtimeSeconds: (Date.now() - t0) / 1000, backend: backend.name });
  const written = writeStudyOutputs(f.out, outputs);
  const v = run.results.verdict;
  log(`${v.claim}: ${v.holds ? 'holds' : 'does not hold'}${v.conclusive ? '' : ' (inconclusive)'}: ${v.explanation}`);
  log(`wrote ${written.length} files to ${f.out}`);
  return written;
}

/** Registers `medlens study` and its studies on the program. */
export function registerStudyCommand(program: Command): Command {
  const study = program.command('study').description('run a reproducible study (results.json + report.html + figures)');
  study
    .command('gradcam-depth')
    .description('Grad-CAM heatmap quality vs network depth on synthetic chest X-rays with exact lesion masks (+ Hannover lung check)')
    .option('--quick', 'CI mode: 32 px, 3 small nets, 2 epochs (seconds)')
    .option('--seed <int>', 'seed of data, weights, shuffling and randomisation', '0')
    .option('--out <dir>', 'output folder', 'medlens-study-gradcam-depth')
    .option('--archs <list>', 'architectures (default: the mode preset)')
    .option('--size <px>', 'image side in pixels')
    .option('--width <factor>', 'width multiplier of every net')
    .option('--epochs <count>', 'training epochs')
    .option('--n-train <count>', 'training images per variant')
    .option('--n-test <count>', 'test images per variant')
    .option('--explain <count>', 'test positives explained per model')
    .option('--variants <list>', 'clean, confounder (default both)')
    .option('--hannover <dir>', 'Hannover chest X-ray folder (default ../shared/data/cxr/hannover when present)')
    .option('--no-hannover', 'skip the real-data check')
    .addOption(backendOption())
    .action(async (flags: GradcamDepthFlags) => {
      await runGradcamDepthCommand(flags);
    });
  study
    .command('ecg-lstm')
    .description('explain an ECG LSTM: saliency, IG, SmoothGrad, occlusion (zero / generative infill), learned mask, 1D Grad-CAM on synthetic beats with exact relevant waves and MIT-BIH DS1')
    .option('--quick', 'CI mode: tiny data, 2 epochs, few beats (a few minutes)')
    .option('--seed <int>', 'seed of data, weights, shuffling, split and randomisation', '0')
    .option('--out <dir>', 'output folder', 'medlens-study-ecg-lstm')
    .option('--data <dir>', 'MIT-BIH folder (default ../shared/data/ecg/mitdb; skipped when absent)')
    .option('--no-data', 'synthetic part only')
    .option('--ludb <record>', 'LUDB record for the delineator check (default ../shared/data/ecg/ludb-record1/1)')
    .option('--no-ludb', 'skip the delineator check')
    .option('--n-train <count>', 'synthetic training beats')
    .option('--epochs <count>', 'training epochs')
    .option('--explain <count>', 'held-out beats explained per dataset')
    .option('--max-per-class <count>', 'MIT-BIH beats per class per record')
    .addOption(backendOption())
    .action(async (flags: EcgLstmFlags) => {
      await runEcgLstmCommand(flags);
    });
  return study;
}
