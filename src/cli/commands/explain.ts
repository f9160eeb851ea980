/**
 * `medlens explain`: explains a saved model's prediction on an input file (.npy, .json, PNG,
 * WFDB record with beat annotations) with any registered method, and writes the attribution as
 * JSON and .npy plus pictures: a heatmap overlay per image (middle slice for volumes) or a
 * relevance-coloured ECG trace (12-lead grid for multi-lead signals). `--list` lists methods.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { backendOption } from '../options.js';
import { tf } from '../../backend/tf.js';
import { initNodeBackend } from '../../backend/node.js';
import { InvalidInputError } from '../../errors.js';
import { delineateEcg } from '../../data/delineate.js';
import { explain, listMethods, methodClass } from '../../explain/explain.js';
import type { Attribution } from '../../explain/attribution.js';
import { loadModelFolder } from '../../node/models.js';
import { ensureDir, writeFileAtomic } from '../../node/fs.js';
import { attributionOverlayPng } from '../../report/overlay.js';
import { ecgPicturePng } from '../../report/ecg-image.js';
import { standardize, zscoreRows } from '../../train/preprocess.js';
import { createProgressReporter } from '../progress-bar.js';
import { conformInput, readPredictInput } from './predict.js';

/** Flags of `medlens explain`. */
export interface ExplainFlags {
  model?: string;
  input?: string;
  method?: string;
  target?: string;
  layer?: string;
  out?: string;
  list?: boolean;
  backend?: string;
  opt?: string[];
  /** Pictures for at most this many samples (default 16). */
  pictures?: string;
}

/** The method list as printed by `--list`: one `name  family` line per method. */
export function methodListText(): string {
  return listMethods().map((m) => `${m.name.padEnd(24)}${m.family}`).join('\n') + '\n';
}

/** Parses `--opt key=value` pairs: values are JSON when they parse (numbers, arrays, booleans), strings otherwise. */
export function parseMethodOptions(pairs: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq < 1) throw new InvalidInputError('--opt', `'${p}' must look like key=value`);
    const key = p.slice(0, eq), text = p.slice(eq + 1);
    if (['target', 'layer', 'method', 'onProgress'].includes(key)) throw new InvalidInputError('--opt', `set '${key}' with its own flag`);
    try {
      out[key] = JSON.parse(text);
    } catch {
      out[key] = text;
    }
  }
  return out;
}

/** Resolves `--target`: a class index or a class name of the model. */
export function parseTarget(text: string | undefined, classNames: string[]): number | undefined {
  if (text === undefined) return undefined;
  const byName = classNames.indexOf(text);
  if (byName >= 0) return byName;
  const v = Number(text);
  if (/^\d+$/.test(text.trim()) && v < classNames.length) return v;
  throw new InvalidInputError('--target', `'${text}' is neither a class index in [0, ${classNames.length}) nor a class name (${classNames.join(', ')})`);
}

/** Writes the pictures of an attribution: overlays (images/volumes) or ECG traces (signals). */
function writePictures(out: string, attribution: Attribution, raw: Float32Array, fs: number | undefined, limit: number): string[] {
  const files: string[] = [];
  const n = Math.min(attribution.batch, limit);
  for (let i = 0; i < n; i++) {
    let png: Uint8Array;
    let name: string;
    if (attribution.rank === 1) {
      const size = attribution.sampleSize;
      const leads = attribution.shape.length === 3 ? attribution.shape[2] : 1;
      const signal = raw.subarray(i * size, (i + 1) * size);
      let waves;
      if (fs && size / leads >= fs) {
        // bands from the built-in delineator on the first lead
        const lead0 = Float32Array.from({ length: size / leads }, (_, k) => signal[k * leads]);
        waves = delineateEcg(lead0, fs).waves;
      }
      png = ecgPicturePng(signal, leads, attribution.sampleValues(i), { waves });
      name = `ecg-${i}.png`;
    } else {
      png = attributionOverlayPng(attribution, raw, { sample: i });
      name = `overlay-${i}.png`;
    }
    writeFileAtomic(path.join(out, name), png);
    files.push(name);
  }
  return files;
}

/** Runs `medlens explain` with parsed flags (used by the command and by tests). */
export async function runExplain(flags: ExplainFlags, log: (line: string) => void = (l) => process.stdout.write(l)): Promise<void> {
  if (flags.list) {
    log(methodListText());
    return;
  }
  for (const key of ['model', 'input', 'method', 'out'] as const) if (!flags[key]) throw new InvalidInputError(`--${key}`, 'is required (or use --list)');
  const method = flags.method!;
  methodClass(method); // unknown method: one-line error listing the known ones
  const key = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '').replace(/\+\+/g, 'plusplus');
  const family = listMethods().find((m) => key(m.name) === key(method))?.family;
  if (flags.layer !== undefined && family !== undefined && family !== 'cam') throw new InvalidInputError('--layer', `applies to CAM methods only, not ${method}`);
  const pictureLimit = flags.pictures === undefined ? 16 : Number(flags.pictures);
  if (!(Number.isInteger(pictureLimit) && pictureLimit >= 0)) throw new InvalidInputError('--pictures', `'${flags.pictures}' must be a non-negative integer`);
  const methodOptions = parseMethodOptions(flags.opt);
  await initNodeBackend(flags.backend);
  const { model, metadata } = await loadModelFolder(flags.model!);
  try {
    const target = parseTarget(flags.target, metadata.classNames);
    if (flags.layer !== undefined && !model.layers.some((l) => l.name === flags.layer)) {
      throw new InvalidInputError('--layer', `model has no layer '${flags.layer}' (layers: ${model.layers.map((l) => l.name).join(', ')})`);
    }
    const input = conformInput(readPredictInput(flags.input!, metadata), metadata.inputShape, flags.input!);
    // the model's preprocessing, as `medlens predict` applies it
    const p = metadata.preprocessing;
    const size = metadata.inputShape.reduce((a, b) => a * b, 1);
    let x = input.x;
    if (!input.normalized && p.beatNormalize === 'zscore') x = zscoreRows(x, size);
    if (p.mean && p.std) x = standardize(x, p.mean, p.std);
    const progress = createProgressReporter();
    const tensor = tf.tensor(x, input.shape, 'float32');
    let attribution: Attribution;
    try {
      attribution = await explain(model, tensor, { method, ...methodOptions, ...(target !== undefined ? { target } : {}), ...(flags.layer ? { layer: flags.layer } : {}), onProgress: progress.onProgress });
    } finally {
      progress.stop();
      tensor.dispose();
    }
    ensureDir(flags.out!);
    const json = { ...attribution.toJSON(), model: flags.model, input: flags.input, classNames: metadata.classNames };
    writeFileAtomic(path.join(flags.out!, 'attribution.json'), JSON.stringify(json) + '\n');
    writeFileAtomic(path.join(flags.out!, 'attribution.npy'), attribution.toNpy());
    const pictures = writePictures(flags.out!, attribution, input.x, typeof p.fs === 'number' ? p.fs : undefined, pictureLimit);
    log(`${attribution.method}: explained ${attribution.batch} sample(s); wrote attribution.json, attribution.npy${pictures.length ? `, ${pictures.length} picture(s)` : ''} to ${flags.out}\n`);
  } finally {
    model.dispose();
  }
}

/** Registers `medlens explain` on the program. */
export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description('explain a saved model on an input file (.npy, .json, PNG, WFDB record with .atr) with an attribution method')
    .option('--model <dir>', 'model folder (model.json, weights.bin, medlens.json)')
    .option('--input <file>', 'input file')
    .option('--method <name>', 'attribution method (see --list)')
    .option('--target <class>', 'class index or name to explain (default: the predicted class)')
    .option('--layer <name>', 'layer for CAM methods (default: the last convolution)')
    .option('--out <dir>', 'output folder for attribution.json, attribution.npy and pictures')
    .option('--opt <key=value...>', 'method options, e.g. --opt steps=64 --opt window=[8]')
    .option('--pictures <n>', 'pictures for at most n samples (default 16)')
    .option('--list', 'list the available methods')
    .addOption(backendOption())
    .action(async (flags: ExplainFlags) => runExplain(flags));
}
