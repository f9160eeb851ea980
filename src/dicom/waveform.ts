/**
 * DICOM Waveform reading (12-lead ECG Waveform Storage and kin): multiplex groups with their
 * channel definitions -> per-lead Float32Array in mV, lead names, sampling rate, and the
 * waveform annotations (interpretation text, measurements, P/QRS/T fiducial sample positions).
 */
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../errors.js';
import { readIdentifiers, type DicomIdentifiers } from './image.js';
import { num, nums, parseDicom, seq, str, type DicomDataset, type ParsedDicom } from './parse.js';

/** One multiplex group: channels sampled together at one rate. */
export interface DicomWaveformGroup {
  /** MultiplexGroupLabel, e.g. RHYTHM or MEDIAN BEAT. */
  label?: string;
  /** ORIGINAL or DERIVED. */
  originality?: string;
  /** Sampling frequency in Hz. */
  fs: number;
  /** Samples per channel. */
  samples: number;
  /** Short lead names (I, II, aVR, V1 ...) from the channel source code meanings. */
  leads: string[];
  /** One array per channel, in `units`. */
  signals: Float32Array[];
  /** Per channel: 'mV' when the sensitivity unit was a voltage, else the file's unit code. */
  units: string[];
}

/** One item of the WaveformAnnotationSequence. */
export interface DicomWaveformAnnotation {
  /** AnnotationGroupNumber (groups measurements of one beat or one statement). */
  group?: number;
  /** Free text (UnformattedTextValue), e.g. an interpretation statement. */
  text?: string;
  /** Concept name code meaning, e.g. "QRS Onset", "PR Interval". */
  concept?: string;
  /** Concept name code value. */
  code?: string;
  /** NumericValue of a measurement. */
  value?: number;
  /** Measurement units code (e.g. ms, deg). */
  units?: string;
  /** ReferencedSamplePositions (1-based sample numbers in the referenced group). */
  samplePositions?: number[];
  /** 1-based multiplex group the annotation refers to (ReferencedWaveformChannels pair), when given. */
  multiplexGroup?: number;
}

/** A decoded DICOM ECG. `signals`/`leads`/`fs` are those of the first (usually rhythm) group. */
export interface DicomEcg {
  file: string;
  sopClassUID?: string;
  fs: number;
  leads: string[];
  signals: Float32Array[];
  groups: DicomWaveformGroup[];
  annotations: DicomWaveformAnnotation[];
  /** Annotation texts in file order (the machine interpretation). */
  interpretation: string[];
  ids?: DicomIdentifiers;
}

/** Options of `readDicomEcg`. */
export interface DicomEcgOptions {
  /** Drop patient/study identifiers (default false). */
  stripIdentifiers?: boolean;
}

/** "Lead I (Einthoven)" -> "I", "Lead aVR" -> "aVR", "Lead V6" -> "V6"; other names unchanged. */
export function shortLeadName(meaning: string): string {
  const m = /^lead\s+([^\s(]+)/i.exec(meaning.trim());
  return m ? m[1] : meaning.trim();
}

/** Multiplier from a sensitivity unit code to millivolts, or undefined for non-voltage units. */
function toMillivolts(unit: string | undefined): number | undefined {
  switch (unit) {
    case 'uV':
      return 1e-3;
    case 'mV':
      return 1;
    case 'V':
      return 1e3;
    case 'nV':
      return 1e-6;
    default:
      return undefined;
  }
}

function asBytes(v: unknown): Uint8Array | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  if (first instanceof ArrayBuffer) return new Uint8Array(first);
  if (ArrayBuffer.isView(first)) return new Uint8Array(first.buffer, first.byteOffset, first.byteLength);
  return undefined;
}

function readGroup(p: ParsedDicom, g: DicomDataset, index: number): DicomWaveformGroup {
  const what = `waveform group ${index + 1}`;
  const nch = num(g, 'NumberOfWaveformChannels');
  const ns = num(g, 'NumberOfWaveformSamples');
  const fs = num(g, 'SamplingFrequency');
  const bits = num(g, 'WaveformBitsAllocated');
  const interp = str(g, 'WaveformSampleInterpretation') ?? 'SS';
  if (!nch || !ns || !fs || !bits) throw new CorruptFileError(p.file, `${what}: missing NumberOfWaveformChannels, NumberOfWaveformSamples, SamplingFrequency or WaveformBitsAllocated`);
  if (!((bits === 16 && (interp === 'SS' || interp === 'US')) || (bits === 8 && (interp === 'SB' || interp === 'UB')))) {
    throw new UnsupportedError(p.file, `${what}: ${bits}-bit ${interp} samples are not supported (16-bit SS/US and 8-bit SB/UB are)`);
  }
  const bytes = asBytes(g.WaveformData);
  const need = nch * ns * (bits / 8);
  if (!bytes) throw new CorruptFileError(p.file, `${what}: no WaveformData`);
  if (bytes.length < need) throw new CorruptFileError(p.file, `${what}: WaveformData holds ${bytes.length} bytes, ${nch} channels x ${ns} samples need ${need}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = p.transferSyntaxUID !== '1.2.840.10008.1.2.2';
  const channels = seq(g, 'ChannelDefinitionSequence');
  if (channels.length !== nch) throw new CorruptFileError(p.file, `${what}: ${channels.length} channel definitions for ${nch} channels`);
  const leads: string[] = [];
  const units: string[] = [];
  const signals: Float32Array[] = [];
  channels.forEach((ch, c) => {
    const source = seq(ch, 'ChannelSourceSequence')[0];
    leads.push(shortLeadName(str(source ?? {}, 'CodeMeaning') ?? str(ch, 'ChannelLabel') ?? `channel ${c + 1}`));
    const unit = str(seq(ch, 'ChannelSensitivityUnitsSequence')[0] ?? {}, 'CodeValue');
    const mv = toMillivolts(unit);
    units.push(mv === undefined ? (unit ?? 'raw') : 'mV');
    // Scaling as pydicom's multiplex_array: raw * sensitivity * correction + baseline * correction.
    const correction = num(ch, 'ChannelSensitivityCorrectionFactor') ?? 1;
    const gain = (num(ch, 'ChannelSensitivity') ?? 1) * correction * (mv ?? 1);
    const offset = (num(ch, 'ChannelBaseline') ?? 0) * correction * (mv ?? 1);
    const out = new Float32Array(ns);
    for (let s = 0; s < ns; s++) {
      const i = s * nch + c;
      const raw = bits === 16 ? (interp === 'SS' ? view.getInt16(2 * i, little) : view.getUint16(2 * i, little)) : interp === 'SB' ? view.getInt8(i) : view.getUint8(i);
      out[s] = raw * gain + offset;
    }
    signals.push(out);
  });
  return { label: str(g, 'MultiplexGroupLabel'), originality: str(g, 'WaveformOriginality'), fs, samples: ns, leads, signals, units };
}

function readAnnotation(a: DicomDataset): DicomWaveformAnnotation {
  const concept = seq(a, 'ConceptNameCodeSequence')[0];
  const units = seq(a, 'MeasurementUnitsCodeSequence')[0];
  const ref = nums(a, 'ReferencedWaveformChannels');
  const out: DicomWaveformAnnotation = {
    group: num(a, 'AnnotationGroupNumber'),
    text: str(a, 'UnformattedTextValue'),
    concept: concept ? str(concept, 'CodeMeaning') : undefined,
    code: concept ? str(concept, 'CodeValue') : undefined,
    value: num(a, 'NumericValue'),
    units: units ? str(units, 'CodeValue') : undefined,
    samplePositions: nums(a, 'ReferencedSamplePositions'),
    multiplexGroup: ref && ref.length >= 1 ? ref[0] : undefined,
  };
  for (const k of Object.keys(out) as (keyof DicomWaveformAnnotation)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** Decodes the waveform of an already parsed dataset (see `readDicomEcg`). */
export function decodeDicomEcg(p: ParsedDicom, options: DicomEcgOptions = {}): DicomEcg {
  const groups = seq(p.dataset, 'WaveformSequence');
  if (groups.length === 0) {
    const sop = str(p.dataset, 'SOPClassUID');
    throw new InvalidInputError(p.file, `has no WaveformSequence (5400,0100): not a waveform${sop ? ` (SOP class ${sop})` : ''}`);
  }
  const decoded = groups.map((g, i) => readGroup(p, g, i));
  const annotations = seq(p.dataset, 'WaveformAnnotationSequence').map(readAnnotation);
  return {
    file: p.file,
    sopClassUID: str(p.dataset, 'SOPClassUID'),
    fs: decoded[0].fs,
    leads: decoded[0].leads,
    signals: decoded[0].signals,
    groups: decoded,
    annotations,
    interpretation: annotations.flatMap((a) => (a.text ? [a.text] : [])),
    ids: options.stripIdentifiers ? undefined : readIdentifiers(p),
  };
}

/** Reads a DICOM waveform (e.g. 12-lead ECG) from bytes; signals in mV. `file` names it in errors. */
export function readDicomEcg(bytes: Uint8Array, file: string, options: DicomEcgOptions = {}): DicomEcg {
  return decodeDicomEcg(parseDicom(bytes, file), options);
}
