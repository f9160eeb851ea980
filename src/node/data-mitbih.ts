/** Node loader of the MIT-BIH Arrhythmia beat dataset from a folder of WFDB records. */
import fs from 'node:fs';
import path from 'node:path';
import { FileAccessError, InvalidInputError } from '../errors.js';
import type { ProgressCallback } from '../progress.js';
import { readAnnotations, readWfdbHeader, readWfdbRecord } from './data-wfdb.js';
import { DS1_RECORDS, concatBeatDatasets, segmentBeats, type BeatDataset, type BeatSegmentOptions } from '../data/mitbih.js';

/** Options of `loadMitbihBeats`. */
export interface MitbihLoadOptions extends BeatSegmentOptions {
  /** Records to load (default the 22 de Chazal DS1 records). */
  records?: string[];
  /** Lead index, or lead name such as `MLII` (default `MLII`, the lead de Chazal used; record 114 stores it second). */
  lead?: number | string;
  onProgress?: ProgressCallback;
}

/**
 * Loads annotated beats of MIT-BIH records in `dir` (WFDB .hea/.dat/.atr) as a [N, T, 1] dataset
 * with AAMI labels (N, S, V, F, Q), the record id as group of each beat, and prev/next RR
 * intervals in seconds as `rr` [N, 2]. See `segmentBeats` for which beats are dropped.
 */
export function loadMitbihBeats(dir: string, opts: MitbihLoadOptions = {}): BeatDataset {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new FileAccessError(dir, 'MIT-BIH folder not found');
  const records = opts.records ?? [...DS1_RECORDS];
  if (records.length === 0) throw new InvalidInputError('records', 'is empty');
  const bad = records.find((r) => !/^[\w.-]+$/.test(r) || r.includes('..'));
  if (bad !== undefined) throw new InvalidInputError('records', `'${bad}' is not a record name (expected e.g. '101')`);
  const parts: BeatDataset[] = [];
  records.forEach((rec, k) => {
    const base = path.join(dir, rec);
    const header = readWfdbHeader(base);
    const lead = resolveLead(opts.lead ?? 'MLII', header.signals.map((s) => s.description), rec);
    const record = readWfdbRecord(base, { channels: [lead] });
    const annotations = readAnnotations(`${base}.atr`);
    parts.push(segmentBeats(record.physical[0], record.fs, annotations, rec, opts));
    opts.onProgress?.({ task: 'load:mitbih', done: k + 1, total: records.length, info: { record: rec } });
  });
  return concatBeatDatasets(parts);
}

function resolveLead(lead: number | string, names: string[], rec: string): number {
  if (typeof lead === 'number') {
    if (!Number.isInteger(lead) || lead < 0 || lead >= names.length) throw new InvalidInputError('lead', `index ${lead} out of range for record ${rec} (${names.length} leads: ${names.join(', ')})`);
    return lead;
  }
  const i = names.indexOf(lead);
  if (i < 0) throw new InvalidInputError('lead', `record ${rec} has no lead '${lead}' (leads: ${names.join(', ')}); pass a lead index instead`);
  return i;
}
