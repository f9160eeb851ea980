/**
 * Parsing DICOM bytes into naturalized datasets with dcmjs, turning every dcmjs failure on a
 * user's file into a typed error that names the file. Browser-safe: bytes in, no Node modules.
 */
import dcmjs from 'dcmjs';
import { CorruptFileError, InvalidInputError } from '../errors.js';
import { checkDicomStructure } from './structure.js';

/** A naturalized DICOM dataset (keyword -> value), as produced by dcmjs. */
export type DicomDataset = Record<string, unknown>;

/** A parsed DICOM Part 10 file. */
export interface ParsedDicom {
  /** File name used in error messages. */
  file: string;
  /** Transfer syntax UID from the file meta information. */
  transferSyntaxUID: string;
  /** The file meta information group (0002), naturalized. */
  meta: DicomDataset;
  /** The main dataset, naturalized. */
  dataset: DicomDataset;
  /** Size of the file in bytes (to report truncation offsets). */
  byteLength: number;
}

let logsSilenced = false;
/** dcmjs logs every tolerated oddity (implicit-VR "xs"/"ox", bad lengths) to the console; medlens reports problems through errors instead. */
function silenceDcmjsLogs(): void {
  if (logsSilenced) return;
  logsSilenced = true;
  // persist=false: loglevel would otherwise write the level into the browser's localStorage.
  dcmjs.log.setLevel('silent', false);
  for (const name of ['validation.dcmjs', 'dcmjs']) dcmjs.log.getLogger(name).setLevel('silent', false);
}

/** Copies (or reuses) the bytes as a standalone ArrayBuffer, which dcmjs requires. */
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

/** True when the bytes carry the DICOM Part 10 marker "DICM" after the 128-byte preamble. */
export function hasDicmMarker(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Parses a DICOM Part 10 file. Throws CorruptFileError naming `file` when the bytes are not
 * DICOM (no "DICM" marker) or the file is truncated/malformed; never a raw dcmjs stack.
 */
export function parseDicom(bytes: Uint8Array, file: string): ParsedDicom {
  if (!(bytes instanceof Uint8Array)) throw new InvalidInputError('bytes', 'expected a Uint8Array');
  if (bytes.length < 132) throw new CorruptFileError(file, `not a DICOM file: only ${bytes.length} bytes, too short for the 128-byte preamble and "DICM" marker`, bytes.length);
  if (!hasDicmMarker(bytes)) throw new CorruptFileError(file, 'not a DICOM file: no "DICM" marker after the 128-byte preamble', 128);
  const syntax = checkDicomStructure(bytes, file);
  silenceDcmjsLogs();
  let dict: ReturnType<typeof dcmjs.data.DicomMessage.readFile>;
  try {
    dict = dcmjs.data.DicomMessage.readFile(toArrayBuffer(bytes));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (syntax === '1.2.840.10008.1.2.1.99') throw new CorruptFileError(file, `deflated dataset is truncated or corrupt: it cannot be inflated and parsed (${why})`);
    const truncated = /outside the bounds|out of bounds|offset is outside|past end|beyond|RangeError/i.test(why) || e instanceof RangeError;
    throw new CorruptFileError(file, truncated ? `truncated or malformed DICOM: data ends before an element does (${why})` : `malformed DICOM: ${why}`);
  }
  let meta: DicomDataset;
  let dataset: DicomDataset;
  try {
    meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
    dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (e) {
    throw new CorruptFileError(file, `malformed DICOM dataset: ${e instanceof Error ? e.message : String(e)}`);
  }
  const transferSyntaxUID = typeof meta.TransferSyntaxUID === 'string' ? meta.TransferSyntaxUID.replace(/\0/g, '').trim() : '';
  if (!transferSyntaxUID) throw new CorruptFileError(file, 'file meta information has no TransferSyntaxUID (0002,0010)');
  return { file, transferSyntaxUID, meta, dataset, byteLength: bytes.length };
}

/** First value of a tag as a number (DICOM multi-values arrive as arrays), or undefined. */
export function num(ds: DicomDataset, key: string): number | undefined {
  let v = ds[key];
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'string') v = v.trim() === '' ? undefined : Number(v);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** All values of a numeric multi-valued tag, or undefined when absent or not numeric. */
export function nums(ds: DicomDataset, key: string): number[] | undefined {
  const v = ds[key];
  const arr = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out = arr.map((x) => (typeof x === 'string' ? Number(x) : x));
  return out.length > 0 && out.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (out as number[]) : undefined;
}

/** A tag as a trimmed string (first value of a multi-value; person names as their Alphabetic form). */
export function str(ds: DicomDataset, key: string): string | undefined {
  let v = ds[key];
  if (Array.isArray(v)) v = v[0];
  if (v && typeof v === 'object' && 'Alphabetic' in v) v = (v as { Alphabetic?: unknown }).Alphabetic;
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' ? v.replace(/\0/g, '').trim() : undefined;
}

/** A sequence tag as an array of item datasets (empty when absent). */
export function seq(ds: DicomDataset, key: string): DicomDataset[] {
  const v = ds[key];
  if (Array.isArray(v)) return v.filter((x): x is DicomDataset => !!x && typeof x === 'object' && !(x instanceof ArrayBuffer));
  return v && typeof v === 'object' && !(v instanceof ArrayBuffer) ? [v as DicomDataset] : [];
}
