/**
 * WFDB annotation files in MIT format (.atr, LUDB per-lead wave files 1.i ... 1.v6), browser-safe.
 * Format reference: https://physionet.org/physiotools/wag/annot-5.htm. Written by hand: no
 * maintained JavaScript WFDB library exists on npm.
 */
import { CorruptFileError } from '../errors.js';

/** One annotation. */
export interface Annotation {
  /** Sample index (time) of the annotation. */
  sample: number;
  /** Annotation code (1..49, see ANNOTATION_SYMBOLS). */
  code: number;
  /** Mnemonic, e.g. `N`, `V`, `+`, `(`, `p`. */
  symbol: string;
  subtype: number;
  chan: number;
  num: number;
  /** Auxiliary text, e.g. `(AFIB` on rhythm changes; '' when absent. */
  aux: string;
}

/** Symbol of each annotation code, as in WFDB's ecgcodes.h / ecgmap (index = code). */
export const ANNOTATION_SYMBOLS: readonly string[] = [
  ' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', '~', '[15]', '|', '[17]', 's', 'T', '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(', ')', 'r', '[42]', '[43]', '[44]', '[45]', '[46]', '[47]', '[48]', '[49]',
];

/** Symbols of beat (QRS) annotations in the MIT-BIH Arrhythmia Database labelling. */
export const BEAT_SYMBOLS: ReadonlySet<string> = new Set(['N', 'L', 'R', 'e', 'j', 'A', 'a', 'J', 'S', 'V', 'E', 'F', '/', 'f', 'Q']);

// Pseudo-annotation codes that modify the position or fields of annotations.
const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

/**
 * Parses an MIT-format annotation file. SKIP words advance time by a 32-bit interval; NUM, SUB,
 * CHN and AUX words set fields of the annotation they follow (num and chan persist to later
 * annotations, as in WFDB). Truncated or malformed input throws CorruptFileError with the offset.
 */
export function parseMitAnnotations(bytes: Uint8Array, file: string): Annotation[] {
  const out: Annotation[] = [];
  let time = 0;
  let num = 0;
  let chan = 0;
  let p = 0;
  const need = (n: number, what: string) => {
    if (p + n > bytes.length) throw new CorruptFileError(file, `truncated annotation file: ${what} needs ${n} bytes, ${bytes.length - p} left`, p);
  };
  for (;;) {
    if (p === bytes.length) break; // a missing end marker is tolerated, as WFDB does
    need(2, 'annotation word');
    const word = bytes[p] | (bytes[p + 1] << 8);
    const code = word >> 10;
    const value = word & 0x3ff;
    const wordOffset = p;
    p += 2;
    if (code === 0 && value === 0) break; // end of file
    if (code === SKIP) {
      need(4, 'SKIP interval');
      // 32-bit interval stored as two little-endian 16-bit halves, high half first (PDP-11 order).
      const hi = bytes[p] | (bytes[p + 1] << 8);
      const lo = bytes[p + 2] | (bytes[p + 3] << 8);
      time += ((hi << 16) | lo) | 0;
      p += 4;
    } else if (code === NUM || code === SUB || code === CHN || code === AUX) {
      const last = out[out.length - 1];
      if (code === AUX) {
        need(value + (value & 1), 'AUX text');
        if (last) last.aux = decodeAux(bytes.subarray(p, p + value));
        p += value + (value & 1);
      } else if (last === undefined) {
        throw new CorruptFileError(file, `pseudo-annotation code ${code} before any annotation`, wordOffset);
      } else if (code === NUM) {
        last.num = num = value > 511 ? value - 1024 : value;
      } else if (code === SUB) {
        last.subtype = value > 511 ? value - 1024 : value;
      } else {
        last.chan = chan = value;
      }
    } else if (code >= 1 && code <= 49) {
      time += value;
      out.push({ sample: time, code, symbol: ANNOTATION_SYMBOLS[code], subtype: 0, chan, num, aux: '' });
    } else {
      // Codes 50..58 are reserved; code 0 with a nonzero interval is NOTQRS, which MIT files never hold.
      throw new CorruptFileError(file, `invalid annotation code ${code}`, wordOffset);
    }
    if (time < 0) throw new CorruptFileError(file, `annotation time became negative (${time})`, wordOffset);
  }
  return out;
}

function decodeAux(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return new TextDecoder('latin1').decode(bytes.subarray(0, end));
}

/** A P wave, QRS complex or T wave delimited by onset and offset annotations (LUDB style). */
export interface WaveSegment {
  /** `p`, `N` (QRS) or `t`. */
  wave: string;
  onset: number;
  peak: number;
  offset: number;
}

/**
 * Groups LUDB-style wave annotations `(` peak `)` into waves with onset, peak and offset samples.
 * A peak lacking its onset or offset (at the record edges) is skipped.
 */
export function waveSegments(annotations: Annotation[]): WaveSegment[] {
  const out: WaveSegment[] = [];
  for (let i = 1; i + 1 < annotations.length; i++) {
    const a = annotations[i];
    if (a.symbol === '(' || a.symbol === ')') continue;
    const before = annotations[i - 1];
    const after = annotations[i + 1];
    if (before.symbol === '(' && after.symbol === ')') out.push({ wave: a.symbol, onset: before.sample, peak: a.sample, offset: after.sample });
  }
  return out;
}

/**
 * Per-sample wave labels for a signal of `length` samples: 0 none, 1 P, 2 QRS, 3 T
 * (the ground truth of "does an explanation fall on the right wave").
 */
export function waveLabels(segments: WaveSegment[], length: number): Uint8Array {
  const codes: Record<string, number> = { p: 1, N: 2, t: 3 };
  const out = new Uint8Array(length);
  for (const s of segments) {
    const c = codes[s.wave] ?? 0;
    if (c === 0) continue;
    for (let i = Math.max(0, s.onset); i <= Math.min(length - 1, s.offset); i++) out[i] = c;
  }
  return out;
}
