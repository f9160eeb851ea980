/**
 * Node side of `medlens study ecg-lstm`: loads MIT-BIH DS1 beats with delineated P/QRS/T windows
 * (skipped with a message when the folder is absent), checks the delineator against the LUDB
 * record's expert annotations, runs the browser-safe study and writes its outputs.
 *
 * Measured on this project's 2 shared cores (native backend): --quick 6 s; the full mode about
 * 2 min (4000 synthetic + ~4100 MIT-BIH N/S/V training beats, up to 60 epochs, 60 beats explained
 * per dataset). --n-train / --epochs / --explain / --max-per-class scale it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initNodeBackend } from '../../backend/node.js';
import { BEAT_SYMBOLS } from '../../data/annotations.js';
import { DS1_RECORDS } from '../../data/mitbih.js';
import { splitByGroup } from '../../data/mitbih-split.js';
import { delineateEcg } from '../../data/delineate.js';
import { loadMitbihBeats, readAnnotations, readWaveAnnotations, readWfdbHeader, readWfdbRecord } from '../../node/data.js';
import { selectClasses } from '../../train/preprocess.js';
import type { StudyBeats } from '../../studies/ecg-lstm-data.js';
import { beatWaveCodes, compareDelineation } from '../../studies/ecg-lstm-delineation.js';
import { ECG_LSTM_SETTINGS, runEcgLstmStudy, type EcgLstmSettings } from '../../studies/ecg-lstm.js';
import { ecgLstmOutputs, type DelineatorCheck } from '../../studies/ecg-lstm-report.js';
import { createProgressReporter } from '../progress-bar.js';
import { parseInteger } from '../options.js';
import { writeStudyOutputs } from './study.js';

/** Flags of `study ecg-lstm`. */
export interface EcgLstmFlags {
  quick?: boolean;
  seed: string;
  out: string;
  data?: string | false;
  ludb?: string | false;
  nTrain?: string;
  epochs?: string;
  explain?: string;
  maxPerClass?: string;
  backend?: string;
}

/** DS1 records of the quick mode (a few records with N, S and V beats). */
export const QUICK_RECORDS = ['101', '106', '119', '201', '208', '209', '223', '124'];

function resolveLead(base: string): number {
  const names = readWfdbHeader(base).signals.map((s) => s.description);
  const i = names.indexOf('MLII');
  return i >= 0 ? i : 0;
}

/**
 * MIT-BIH beats (AAMI classes `s.realClasses`, z-scored windows at the study's rate, at most `maxPerClass` beats
 * per class per record), split by record (25% of beats held out), with delineated wave codes of
 * the held-out beats.
 */
export function loadRealStudyBeats(dir: string, s: EcgLstmSettings, seed: number, records: string[], maxPerClass: number): StudyBeats {
  let all = loadMitbihBeats(dir, { records, resampleTo: s.fs, before: s.before, after: s.after, normalize: 'zscore', maxPerClassPerRecord: maxPerClass });
  all = selectClasses(all, s.realClasses);
  const split = splitByGroup(all, { valFraction: 0.25, seed });
  const test = split.val;
  const T = test.shape[1];
  const before = Math.round(s.before * s.fs);
  const waves = new Uint8Array(test.shape[0] * T);
  for (const rec of split.valGroups) {
    const idx = test.groups!.flatMap((g, i) => (g === rec ? [i] : []));
    const base = path.join(dir, rec);
    const record = readWfdbRecord(base, { channels: [resolveLead(base)] });
    const peaks = readAnnotations(`${base}.atr`).filter((a) => BEAT_SYMBOLS.has(a.symbol)).map((a) => a.sample);
    const signal = Float32Array.from(record.physical[0], (v) => (Number.isFinite(v) ? v : 0));
    const codes = beatWaveCodes(signal, record.fs, peaks, idx.map((i) => test.rPeak[i]), s.fs, before, T);
    idx.forEach((i, k) => waves.set(codes.subarray(k * T, (k + 1) * T), i * T));
  }
  return {
    name: 'mitbih',
    source: `MIT-BIH Arrhythmia ${dir}, DS1 records ${records.join(' ')}, lead MLII resampled to ${s.fs} Hz, z-scored beats, at most ${maxPerClass} beats per class per record`,
    train: split.train,
    test: { ...test, waves },
    testGroups: split.valGroups,
  };
}

/** Delineator vs LUDB annotations on lead `lead` of `record` (a WFDB record base path). */
export function checkDelineatorOnLudb(record: string, lead = 'ii'): DelineatorCheck {
  const header = readWfdbHeader(record);
  const li = header.signals.findIndex((sg) => sg.description === lead);
  if (li < 0) throw new Error(`LUDB record ${record} has no lead ${lead}`);
  const rec = readWfdbRecord(record, { channels: [li] });
  const annotated = readWaveAnnotations(record)[li].waves;
  const detected = delineateEcg(rec.physical[0], rec.fs).waves;
  return compareDelineation(detected, annotated, rec.fs, rec.numSamples, { record: path.basename(record), lead });
}

/** Runs `study ecg-lstm` with parsed flags; returns the files written. */
export async function runEcgLstmCommand(f: EcgLstmFlags, log: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<string[]> {
  const seed = parseInteger('--seed', f.seed, 0, 2 ** 31 - 1);
  const quick = f.quick ?? false;
  const settings: Partial<EcgLstmSettings> = {};
  if (f.nTrain) settings.nTrain = parseInteger('--n-train', f.nTrain, 12);
  if (f.epochs) settings.epochs = parseInteger('--epochs', f.epochs, 1);
  if (f.explain) settings.nExplain = parseInteger('--explain', f.explain, 1);
  const s = { ...ECG_LSTM_SETTINGS[quick ? 'quick' : 'full'], ...settings };
  const maxPerClass = f.maxPerClass ? parseInteger('--max-per-class', f.maxPerClass, 1) : s.maxPerClassPerRecord;
  const backend = await initNodeBackend(f.backend);
  const t0 = Date.now();

  let real: StudyBeats | undefined;
  let realSkipped: string | undefined;
  const dir = f.data === false ? undefined : f.data ?? path.resolve('..', 'shared', 'data', 'ecg', 'mitdb');
  if (!dir) realSkipped = 'MIT-BIH part skipped (--no-data).';
  else if (!fs.existsSync(dir)) realSkipped = `MIT-BIH part skipped: no MIT-BIH folder at ${dir} (pass --data <dir>).`;
  else {
    const records = (quick ? QUICK_RECORDS : [...DS1_RECORDS]).filter((r) => fs.existsSync(path.join(dir, `${r}.hea`)));
    if (records.length < 2) realSkipped = `MIT-BIH part skipped: fewer than 2 DS1 records in ${dir}.`;
    else real = loadRealStudyBeats(dir, s, seed, records, maxPerClass);
  }
  if (realSkipped) log(realSkipped);

  let delineator: DelineatorCheck | undefined;
  const ludb = f.ludb === false ? undefined : f.ludb ?? path.resolve('..', 'shared', 'data', 'ecg', 'ludb-record1', '1');
  if (ludb && fs.existsSync(`${ludb}.hea`)) delineator = checkDelineatorOnLudb(ludb);
  else if (ludb) log(`LUDB record not found at ${ludb}: delineator check skipped (--ludb <record>)`);

  const progress = createProgressReporter();
  let result;
  try {
    result = await runEcgLstmStudy({ seed, quick, settings, real, realSkipped, onProgress: progress.onProgress, log });
  } finally {
    progress.stop();
  }
  const command = `medlens study ecg-lstm${quick ? ' --quick' : ''} --seed ${seed}${f.nTrain ? ` --n-train ${f.nTrain}` : ''}${f.epochs ? ` --epochs ${f.epochs}` : ''}${f.explain ? ` --explain ${f.explain}` : ''}`;
  const outputs = ecgLstmOutputs(result, { command, backend: backend.name, runtimeSeconds: (Date.now() - t0) / 1000 }, delineator);
  const written = writeStudyOutputs(f.out, outputs);
  const seconds = (Date.now() - t0) / 1000;
  for (const d of result.datasets) log(`[${d.name}] ${d.verdict.statement} LSTM methods only: ${d.verdictLstmOnly.holds ? 'holds' : 'does not hold'}.`);
  log(`wrote ${written.length} files to ${f.out}; the run took ${seconds.toFixed(0)} s on the ${backend.name} backend`);
  return written;
}
