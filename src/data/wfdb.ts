/**
 * WFDB signal decoding (browser-safe: data files come in as bytes). Supports the storage formats
 * used by PhysioNet ECG databases: 212 (MIT-BIH), 16 (PTB, PTB-XL, LUDB), plus 61, 80, 160, 24, 32
 * (not the difference format 8 nor the packed 310/311).
 * Written by hand: no maintained JavaScript WFDB library exists on npm.
 */
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../errors.js';
import type { WfdbHeader, WfdbSignalSpec } from './wfdb-header.js';

export { parseWfdbHeader } from './wfdb-header.js';
export type { WfdbHeader, WfdbSignalSpec } from './wfdb-header.js';

/** A decoded WFDB record, one array per selected signal. */
export interface WfdbRecord {
  header: WfdbHeader;
  /** Indices (into header.signals) of the decoded signals, in the order of the arrays below. */
  channels: number[];
  /** Raw ADC values per channel. Invalid samples keep the format's sentinel (e.g. -2048 in 212). */
  digital: Int32Array[];
  /** Physical values per channel, (digital - baseline) / gain; invalid samples are NaN. */
  physical: Float32Array[];
  /** Samples per channel. */
  numSamples: number;
  fs: number;
}

/** Options of `decodeWfdbRecord`. */
export interface WfdbDecodeOptions {
  /** Signal indices to decode (default all). */
  channels?: number[];
  /** Throw CorruptFileError when a header checksum does not match the data (default true). */
  verifyChecksum?: boolean;
}

/** Bits per sample of each supported format and the "invalid sample" sentinel. */
const FORMATS: Record<number, { bits: number; invalid: number }> = {
  16: { bits: 16, invalid: -32768 },
  61: { bits: 16, invalid: -32768 },
  80: { bits: 8, invalid: -128 },
  160: { bits: 16, invalid: -32768 },
  212: { bits: 12, invalid: -2048 },
  24: { bits: 24, invalid: -8388608 },
  32: { bits: 32, invalid: -2147483648 },
};

/**
 * Decodes the signals of a WFDB record. `dataFiles` maps each data file name of the header to its
 * bytes (only files of selected channels are needed). Truncated data files throw CorruptFileError
 * with the byte offset where data ran out; checksums are verified unless disabled.
 */
export function decodeWfdbRecord(header: WfdbHeader, dataFiles: Record<string, Uint8Array>, opts: WfdbDecodeOptions = {}): WfdbRecord {
  const channels = opts.channels ?? header.signals.map((_, i) => i);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 0 || c >= header.signals.length) {
      throw new InvalidInputError('channels', `signal index ${c} out of range 0..${header.signals.length - 1} of record ${header.recordName}`);
    }
  }
  // Signals sharing a data file are interleaved frame by frame, in header order.
  const groups = new Map<string, number[]>();
  header.signals.forEach((s, i) => {
    const g = groups.get(s.fileName) ?? [];
    g.push(i);
    groups.set(s.fileName, g);
  });
  const digitalByIndex = new Map<number, Int32Array>();
  let numSamples = header.numSamples;
  for (const [fileName, members] of groups) {
    if (!members.some((m) => channels.includes(m))) continue;
    const bytes = dataFiles[fileName];
    if (bytes === undefined) throw new InvalidInputError('dataFiles', `data file ${fileName} of record ${header.recordName} was not given`);
    const decoded = decodeFile(header, members.map((m) => header.signals[m]), bytes, fileName, numSamples);
    numSamples = decoded[0].length;
    members.forEach((m, k) => digitalByIndex.set(m, decoded[k]));
  }
  const n = numSamples ?? 0;
  const digital = channels.map((c) => digitalByIndex.get(c) ?? new Int32Array(n));
  if (opts.verifyChecksum ?? true) {
    channels.forEach((c, k) => verifyChecksum(header.signals[c], digital[k], header.recordName));
  }
  const physical = channels.map((c, k) => toPhysical(header.signals[c], digital[k]));
  return { header, channels, digital, physical, numSamples: n, fs: header.fs };
}

/** Decodes all interleaved signals of one data file into one Int32Array per signal. */
function decodeFile(header: WfdbHeader, specs: WfdbSignalSpec[], bytes: Uint8Array, fileName: string, numSamples: number | undefined): Int32Array[] {
  const format = specs[0].format;
  const byteOffset = specs[0].byteOffset;
  if (specs.some((s) => s.format !== format || s.byteOffset !== byteOffset)) {
    throw new UnsupportedError(fileName, 'signals of one data file with different formats or offsets are not supported');
  }
  const info = FORMATS[format];
  if (info === undefined) throw new UnsupportedError(fileName, `WFDB signal format ${format} is not supported (supported: ${Object.keys(FORMATS).join(', ')})`);
  const nsig = specs.length;
  const availableBits = Math.max(0, bytes.length - byteOffset) * 8;
  const availableFrames = Math.floor(availableBits / (info.bits * nsig));
  const frames = numSamples ?? availableFrames;
  if (frames > availableFrames) {
    const needed = byteOffset + Math.ceil((frames * nsig * info.bits) / 8);
    throw new CorruptFileError(fileName, `truncated: header of record ${header.recordName} announces ${frames} samples of ${nsig} signal(s) in format ${format} (${needed} bytes), the file has ${bytes.length} bytes`, bytes.length);
  }
  const out = specs.map(() => new Int32Array(frames));
  const total = frames * nsig;
  const b = bytes;
  let p = byteOffset;
  if (format === 212) {
    // Pairs of 12-bit samples in 3 bytes; low byte first, high nibbles share the middle byte.
    for (let i = 0; i < total; i += 2) {
      const b0 = b[p];
      const b1 = b[p + 1];
      const s0 = ((b1 & 0x0f) << 8) | b0;
      out[i % nsig][Math.floor(i / nsig)] = s0 >= 2048 ? s0 - 4096 : s0;
      if (i + 1 < total) {
        const s1 = ((b1 & 0xf0) << 4) | b[p + 2];
        out[(i + 1) % nsig][Math.floor((i + 1) / nsig)] = s1 >= 2048 ? s1 - 4096 : s1;
      }
      p += 3;
    }
    return out;
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < nsig; s++) {
      let v: number;
      switch (format) {
        case 16: v = view.getInt16(p, true); p += 2; break;
        case 61: v = view.getInt16(p, false); p += 2; break;
        case 80: v = b[p] - 128; p += 1; break;
        case 160: v = view.getUint16(p, true) - 32768; p += 2; break;
        case 24: v = ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8; p += 3; break;
        default: v = view.getInt32(p, true); p += 4; break; // 32
      }
      out[s][f] = v;
    }
  }
  return out;
}

/** Throws CorruptFileError when a signal's 16-bit sum differs from the header's checksum. */
function verifyChecksum(spec: WfdbSignalSpec, digital: Int32Array, recordName: string): void {
  if (spec.checksum === undefined) return;
  const actual = wfdbChecksum(digital);
  // Headers write the checksum signed (MIT-BIH) or unsigned (PTB-XL): compare modulo 2^16.
  if (actual !== (((spec.checksum % 65536) + 65536) % 65536)) {
    throw new CorruptFileError(spec.fileName, `checksum mismatch for signal '${spec.description}' of record ${recordName}: header says ${spec.checksum}, data sums to ${actual} (mod 65536)`);
  }
}

/** The WFDB checksum of a signal: the sum of its samples modulo 65536, in [0, 65535]. */
export function wfdbChecksum(digital: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < digital.length; i++) sum = (sum + digital[i]) & 0xffff;
  return sum;
}

function toPhysical(spec: WfdbSignalSpec, digital: Int32Array): Float32Array {
  const invalid = FORMATS[spec.format]?.invalid;
  const out = new Float32Array(digital.length);
  for (let i = 0; i < digital.length; i++) {
    const d = digital[i];
    out[i] = d === invalid ? NaN : (d - spec.baseline) / spec.gain;
  }
  return out;
}

/** Stacks per-channel arrays into one channels-last [T, C] Float32Array (the ECG layout). */
export function toChannelsLast(signals: Float32Array[]): Float32Array {
  const c = signals.length;
  const t = c === 0 ? 0 : signals[0].length;
  const out = new Float32Array(t * c);
  for (let k = 0; k < c; k++) {
    const s = signals[k];
    for (let i = 0; i < t; i++) out[i * c + k] = s[i];
  }
  return out;
}
