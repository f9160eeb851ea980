/**
 * Node adapters for WFDB records: read the header, data files and annotation files from disk and
 * hand the bytes to the browser-safe decoders in src/data/.
 */
import path from 'node:path';
import { readBytes } from './fs.js';
import { CorruptFileError } from '../errors.js';
import { parseWfdbHeader, decodeWfdbRecord, type WfdbDecodeOptions, type WfdbHeader, type WfdbRecord } from '../data/wfdb.js';
import { parseMitAnnotations, waveSegments, type Annotation, type WaveSegment } from '../data/annotations.js';

/** Strips a `.hea` extension so both `mitdb/101` and `mitdb/101.hea` name the record. */
function recordBase(record: string): string {
  return record.endsWith('.hea') ? record.slice(0, -4) : record;
}

/** Reads and parses the header of a WFDB record (`dir/name` or `dir/name.hea`). */
export function readWfdbHeader(record: string): WfdbHeader {
  const file = `${recordBase(record)}.hea`;
  return parseWfdbHeader(readBytes(file), file);
}

/**
 * Reads a WFDB record from disk: the header plus the data files of the selected channels
 * (found beside the header). Checksums are verified unless `verifyChecksum: false`.
 */
export function readWfdbRecord(record: string, opts: WfdbDecodeOptions = {}): WfdbRecord {
  const header = readWfdbHeader(record);
  const dir = path.dirname(recordBase(record));
  const channels = opts.channels ?? header.signals.map((_, i) => i);
  const files: Record<string, Uint8Array> = {};
  for (const c of channels) {
    const name = header.signals[c]?.fileName;
    if (name === undefined || files[name] !== undefined) continue;
    // A header must not point outside its folder (a crafted .hea could name any file).
    if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) throw new CorruptFileError(`${recordBase(record)}.hea`, `data file name '${name}' leaves the record's folder`);
    files[name] = readBytes(path.join(dir, name));
  }
  return decodeWfdbRecord(header, files, { ...opts, channels });
}

/** Reads an MIT-format annotation file, e.g. `mitdb/101.atr` or `ludb-record1/1.v6`. */
export function readAnnotations(file: string): Annotation[] {
  return parseMitAnnotations(readBytes(file), file);
}

/**
 * Reads LUDB-style per-lead wave annotations: for each signal of the record, the annotation file
 * named `<record>.<signal description>` (e.g. `1.ii`, `1.v6`), grouped into P/QRS/T waves.
 * Returns one entry per lead, in header order.
 */
export function readWaveAnnotations(record: string): { lead: string; waves: WaveSegment[] }[] {
  const header = readWfdbHeader(record);
  return header.signals.map((s) => ({ lead: s.description, waves: waveSegments(readAnnotations(`${recordBase(record)}.${s.description}`)) }));
}
