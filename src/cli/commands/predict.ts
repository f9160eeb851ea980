/**
 * `medlens predict`: runs a saved model folder on an input file (.npy, .json, a WFDB record with
 * beat annotations, or a PNG) and writes class probabilities per sample as JSON or CSV. Inputs
 * get the preprocessing recorded in the model's medlens.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { backendOption } from '../options.js';
import { initNodeBackend } from '../../backend/node.js';
import { FileAccessError, InvalidInputError, UnsupportedError } from '../../errors.js';
import { loadModelFolder } from '../../node/models.js';
import { readAnnotations, readWfdbHeader, readWfdbRecord } from '../../node/data.js';
import { readPngFile } from '../../node/data-image.js';
import { readBytes, readText, writeFileAtomic } from '../../node/fs.js';
import { segmentBeats } from '../../data/mitbih.js';
import type { ModelMetadata } from '../../models/metadata.js';
import { predictLogits, softmaxRows } from '../../train/predict.js';
import { argmaxRows } from '../../train/metrics.js';
import { appendRrChannels, standardize, zscoreRows } from '../../train/preprocess.js';
import { parseNpy } from '../npy.js';

/** Samples read from an input file, before the model's preprocessing. */
export interface PredictInput {
  x: Float32Array;
  /** [N, ...sample shape]. */
  shape: number[];
  /** Per-sample extras for the output (e.g. R-peak positions and annotation labels of beats). */
  extras?: Record<string, number | string>[];
  /** True when beat normalisation was already applied while reading (WFDB). */
  normalized?: boolean;
}

function flattenJson(value: unknown, file: string): { data: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data: number[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new InvalidInputError(file, `expected a number, found ${JSON.stringify(v)?.slice(0, 20)}`);
      data.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) throw new InvalidInputError(file, `ragged nested array at depth ${depth}`);
    for (const e of v) walk(e, depth + 1);
  };
  walk(value, 0);
  return { data, shape };
}

/** Reads a JSON input: a nested numeric array, or `{ "x": [...flat], "shape": [...] }`. */
function readJsonInput(file: string): PredictInput {
  let value: unknown;
  try {
    value = JSON.parse(readText(file));
  } catch (e) {
    if (e instanceof FileAccessError) throw e;
    throw new InvalidInputError(file, 'is not valid JSON');
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'x' in value) {
    const o = value as { x: unknown; shape?: unknown };
    const flat = flattenJson(o.x, file);
    const shape = Array.isArray(o.shape) ? (o.shape as number[]) : flat.shape;
    if (shape.reduce((a, b) => a * b, 1) !== flat.data.length) throw new InvalidInputError(file, `shape [${shape}] does not match ${flat.data.length} values`);
    return { x: Float32Array.from(flat.data), shape };
  }
  const flat = flattenJson(value, file);
  return { x: Float32Array.from(flat.data), shape: flat.shape };
}

/** Cuts beat windows around annotated R peaks of a WFDB record, as the model was trained. */
function readWfdbInput(file: string, meta: ModelMetadata): PredictInput {
  const base = file.replace(/\.(hea|dat|atr)$/, '');
  const atr = `${base}.atr`;
  if (!fs.existsSync(atr)) throw new UnsupportedError(file, `needs beat annotations (${path.basename(atr)}) beside the record to find the R peaks`);
  const p = meta.preprocessing;
  const window = p.window;
  if (!window || !p.fs) throw new UnsupportedError(meta.arch, 'model metadata has no beat window/fs: it was not trained on ECG beats');
  const header = readWfdbHeader(base);
  const names = header.signals.map((s) => s.description);
  const leadName = typeof p.lead === 'string' ? p.lead : undefined;
  const lead = leadName && names.includes(leadName) ? names.indexOf(leadName) : 0;
  const record = readWfdbRecord(base, { channels: [lead] });
  const beats = segmentBeats(record.physical[0], record.fs, readAnnotations(atr), path.basename(base), {
    resampleTo: p.fs,
    before: window.before,
    after: window.after,
    unit: 'samples',
    normalize: p.beatNormalize === 'zscore' ? 'zscore' : p.beatNormalize === 'baseline' ? 'baseline' : 'none',
  });
  const extras = Array.from(beats.rPeak, (r, i) => ({ rPeak: r, annotated: beats.classNames[beats.y[i]] }));
  const withRr = p.rrFeatures ? appendRrChannels(beats.x, beats.shape, beats.rr, beats.groups) : beats;
  return { x: withRr.x, shape: withRr.shape, extras, normalized: true };
}

/** Reads any supported input file into samples (before preprocessing). */
export function readPredictInput(file: string, meta: ModelMetadata): PredictInput {
  if (!fs.existsSync(file) && !fs.existsSync(`${file}.hea`)) throw new FileAccessError(file, 'no such file');
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') {
    const { data, shape } = parseNpy(readBytes(file), file);
    return { x: data, shape };
  }
  if (ext === '.json') return readJsonInput(file);
  if (ext === '.png') {
    const grey = meta.inputShape[meta.inputShape.length - 1] === 1;
    const img = readPngFile(file, { normalize: true, channels: grey ? 'grey' : 'keep' });
    return { x: img.data, shape: [1, ...img.shape] };
  }
  if (ext === '.hea' || ext === '.dat' || ext === '.atr' || fs.existsSync(`${file}.hea`)) return readWfdbInput(file, meta);
  throw new UnsupportedError(file, `unknown input type '${ext}' (use .npy, .json, .png or a WFDB record)`);
}

/** Brings input samples to the model's [N, ...inputShape]: adds a batch or channel axis, converts image channels. */
export function conformInput(input: PredictInput, inputShape: number[], file: string): PredictInput {
  let { x, shape } = input;
  const size = inputShape.reduce((a, b) => a * b, 1);
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (same(shape, inputShape)) shape = [1, ...shape];
  else if (inputShape[inputShape.length - 1] === 1 && same(shape, inputShape.slice(0, -1))) shape = [1, ...inputShape];
  else if (inputShape[inputShape.length - 1] === 1 && same(shape.slice(1), inputShape.slice(0, -1))) shape = [shape[0], ...inputShape];
  else if (same(shape.slice(1, -1), inputShape.slice(0, -1)) && shape.length === inputShape.length + 1) {
    // image channels: RGB(A) -> grey by averaging the colour channels, grey -> RGB by repetition
    const cin = shape[shape.length - 1];
    const cout = inputShape[inputShape.length - 1];
    const pixels = x.length / cin;
    const out = new Float32Array(pixels * cout);
    for (let p = 0; p < pixels; p++) {
      if (cout === 1) {
        const colours = Math.min(3, cin);
        let s = 0;
        for (let c = 0; c < colours; c++) s += x[p * cin + c];
        out[p] = s / colours;
      } else if (cin === 1 || cin === 2) for (let c = 0; c < cout; c++) out[p * cout + c] = x[p * cin];
      else for (let c = 0; c < cout; c++) out[p * cout + c] = x[p * cin + Math.min(c, cin - 1)];
    }
    x = out;
    shape = [shape[0], ...inputShape];
  }
  if (!same(shape.slice(1), inputShape) || x.length !== shape[0] * size) {
    throw new InvalidInputError(file, `samples of shape [${input.shape.slice(1)}] (input shape [${input.shape}]) do not fit the model input [${inputShape}]`);
  }
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new InvalidInputError(file, `value ${x[i]} (NaN/Inf) at flat index ${i}`);
  return { ...input, x, shape };
}

/** Registers `medlens predict` on the program. */
export function registerPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('classify the samples of an input file (.npy, .json, WFDB record with .atr, PNG) with a saved model')
    .requiredOption('--model <dir>', 'model folder (model.json, weights.bin, medlens.json)')
    .requiredOption('--input <file>', 'input file')
    .requiredOption('--out <file>', 'output file (.json or .csv)')
    .addOption(backendOption())
    .action(async (flags: { model: string; input: string; out: string; backend?: string }) => {
      const outExt = path.extname(flags.out).toLowerCase();
      if (outExt !== '.json' && outExt !== '.csv') throw new InvalidInputError('--out', `'${flags.out}' must end in .json or .csv`);
      await initNodeBackend(flags.backend);
      const { model, metadata } = await loadModelFolder(flags.model);
      const raw = readPredictInput(flags.input, metadata);
      const input = conformInput(raw, metadata.inputShape, flags.input);
      const p = metadata.preprocessing;
      const size = metadata.inputShape.reduce((a, b) => a * b, 1);
      let x = input.x;
      // npy/json beats with RR channels: only the signal channel is beat-normalised, so it is left to the caller
      if (!input.normalized && p.beatNormalize === 'zscore' && !p.rrFeatures) x = zscoreRows(x, size);
      if (p.mean && p.std) x = standardize(x, p.mean, p.std);
      const k = metadata.classNames.length;
      const logits = predictLogits(model, x, input.shape);
      const probs = softmaxRows(logits, k);
      const pred = argmaxRows(logits, k);
      const rows = Array.from(pred, (c, i) => ({
        index: i,
        ...(input.extras?.[i] ?? {}),
        class: metadata.classNames[c],
        probabilities: Object.fromEntries(metadata.classNames.map((name, j) => [name, Number(probs[i * k + j].toFixed(6))])),
      }));
      if (outExt === '.json') {
        writeFileAtomic(flags.out, JSON.stringify({ model: flags.model, input: flags.input, classNames: metadata.classNames, predictions: rows }, null, 1) + '\n');
      } else {
        const extraKeys = Object.keys(input.extras?.[0] ?? {});
        const header = ['index', ...extraKeys, 'class', ...metadata.classNames.map((c) => `p_${c}`)].join(',');
        const lines = rows.map((r) => [r.index, ...extraKeys.map((key) => (r as Record<string, unknown>)[key]), r.class, ...metadata.classNames.map((c) => r.probabilities[c])].join(','));
        writeFileAtomic(flags.out, [header, ...lines].join('\n') + '\n');
      }
      const counts = metadata.classNames.map((c, j) => `${c} ${pred.filter((v) => v === j).length}`).join(', ');
      process.stdout.write(`predicted ${rows.length} sample(s): ${counts}; wrote ${flags.out}\n`);
      model.dispose();
    });
}
