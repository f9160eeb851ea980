/**
 * WFDB header (.hea) parser, browser-safe (takes bytes or text). Format reference:
 * https://physionet.org/physiotools/wag/header-5.htm. Written by hand because no maintained
 * JavaScript WFDB library exists on npm; only single-segment records are supported.
 */
import { CorruptFileError, UnsupportedError } from '../errors.js';

/** One signal line of a WFDB header. */
export interface WfdbSignalSpec {
  /** Data file holding this signal (relative to the header's folder). */
  fileName: string;
  /** Storage format: 8, 16, 24, 32, 61, 80, 160, 212, ... */
  format: number;
  /** Bytes to skip at the start of the data file (`format+offset`). */
  byteOffset: number;
  /** ADC units per physical unit (200 when the header gives 0 or nothing, as WFDB does). */
  gain: number;
  /** ADC value that corresponds to 0 physical units (defaults to adcZero). */
  baseline: number;
  /** Physical units, e.g. `mV` (default `mV`). */
  units: string;
  /** ADC resolution in bits (0 when not given). */
  adcResolution: number;
  /** ADC output for 0 V input. */
  adcZero: number;
  /** First sample value, when given. */
  initialValue?: number;
  /** 16-bit checksum of all samples of this signal, when given. */
  checksum?: number;
  /** Signal name, e.g. `MLII`, `v1` (may contain spaces). */
  description: string;
}

/** A parsed single-segment WFDB header. */
export interface WfdbHeader {
  /** Record name as written on the record line. */
  recordName: string;
  /** Sampling frequency in Hz (250 when not given, as WFDB does). */
  fs: number;
  /** Samples per signal, when the header gives it. */
  numSamples?: number;
  /** Signals in header order. */
  signals: WfdbSignalSpec[];
  /** `#` comment lines without the leading `#`, trimmed. */
  comments: string[];
}

const DEFAULT_GAIN = 200;
const DEFAULT_FS = 250;

/** Parses a WFDB header given as bytes or text (LF or CRLF line ends). `file` names it in errors. */
export function parseWfdbHeader(content: Uint8Array | string, file: string): WfdbHeader {
  const text = typeof content === 'string' ? content : new TextDecoder('latin1').decode(content);
  const comments: string[] = [];
  const lines: { text: string; offset: number }[] = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) comments.push(trimmed.slice(1).trim());
    else if (trimmed !== '') lines.push({ text: trimmed, offset });
    offset += raw.length + 1;
  }
  if (lines.length === 0) throw new CorruptFileError(file, 'empty WFDB header: no record line', 0);
  const record = parseRecordLine(lines[0].text, file, lines[0].offset);
  const signalLines = lines.slice(1, 1 + record.numSignals);
  if (signalLines.length < record.numSignals) {
    throw new CorruptFileError(file, `record line announces ${record.numSignals} signals but only ${signalLines.length} signal lines follow`, text.length);
  }
  const signals = signalLines.map((l) => parseSignalLine(l.text, file, l.offset));
  return { recordName: record.recordName, fs: record.fs, numSamples: record.numSamples, signals, comments };
}

function parseRecordLine(line: string, file: string, offset: number) {
  const fields = line.split(/\s+/);
  const [nameField, nsigField, fsField, nsampField] = fields;
  if (nameField.includes('/')) {
    throw new UnsupportedError(file, `multi-segment WFDB records (${nameField}) are not supported; read each segment's header instead`);
  }
  const numSignals = parseNonNegativeInt(nsigField, 'number of signals', file, offset);
  let fs = DEFAULT_FS;
  if (fsField !== undefined) {
    // fs may carry a counter frequency and base counter: 360/720(0)
    const f = Number(fsField.split('/')[0]);
    if (!Number.isFinite(f) || f <= 0) throw new CorruptFileError(file, `invalid sampling frequency '${fsField}' on the record line`, offset);
    fs = f;
  }
  const numSamples = nsampField === undefined ? undefined : parseNonNegativeInt(nsampField, 'number of samples', file, offset);
  return { recordName: nameField, numSignals, fs, numSamples };
}

function parseSignalLine(line: string, file: string, offset: number): WfdbSignalSpec {
  const fields = line.split(/\s+/);
  if (fields.length < 2) throw new CorruptFileError(file, `signal line '${line}' has no format field`, offset);
  const [fileName, formatField, gainField, adcResField, adcZeroField, initField, checksumField, blockField] = fields;
  const fm = /^(\d+)(x\d+)?(:\d+)?(\+\d+)?$/.exec(formatField);
  if (!fm) throw new CorruptFileError(file, `invalid signal format '${formatField}'`, offset);
  if (fm[2] && fm[2] !== 'x1') throw new UnsupportedError(file, `signal format '${formatField}': several samples per frame are not supported`);
  if (fm[3] && fm[3] !== ':0') throw new UnsupportedError(file, `signal format '${formatField}': skew is not supported`);
  const format = Number(fm[1]);
  const byteOffset = fm[4] ? Number(fm[4].slice(1)) : 0;

  const adcZero = adcZeroField === undefined ? 0 : parseInteger(adcZeroField, 'ADC zero', file, offset);
  let gain = DEFAULT_GAIN;
  let baseline = adcZero;
  let units = 'mV';
  if (gainField !== undefined) {
    // gain[(baseline)][/units], e.g. 200, 1716(6)/mV, 1000.0(0)/mV
    const gm = /^([-+0-9.eE]+)(?:\((-?\d+)\))?(?:\/(.+))?$/.exec(gainField);
    if (!gm) throw new CorruptFileError(file, `invalid gain field '${gainField}'`, offset);
    const g = Number(gm[1]);
    if (!Number.isFinite(g)) throw new CorruptFileError(file, `invalid gain '${gm[1]}'`, offset);
    gain = g === 0 ? DEFAULT_GAIN : g;
    if (gm[2] !== undefined) baseline = Number(gm[2]);
    if (gm[3] !== undefined) units = gm[3];
  }
  const description = blockField === undefined ? '' : fields.slice(8).join(' ');
  return {
    fileName,
    format,
    byteOffset,
    gain,
    baseline,
    units,
    adcResolution: adcResField === undefined ? 0 : parseNonNegativeInt(adcResField, 'ADC resolution', file, offset),
    adcZero,
    initialValue: initField === undefined ? undefined : parseInteger(initField, 'initial value', file, offset),
    checksum: checksumField === undefined ? undefined : parseInteger(checksumField, 'checksum', file, offset),
    description,
  };
}

function parseInteger(field: string, what: string, file: string, offset: number): number {
  if (!/^[-+]?\d+$/.test(field)) throw new CorruptFileError(file, `invalid ${what} '${field}'`, offset);
  return Number(field);
}

function parseNonNegativeInt(field: string | undefined, what: string, file: string, offset: number): number {
  if (field === undefined || !/^\d+$/.test(field)) throw new CorruptFileError(file, `invalid ${what} '${field ?? ''}'`, offset);
  return Number(field);
}
