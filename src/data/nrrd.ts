/**
 * NRRD reader (browser-safe; gzip via fflate). Format: http://teem.sourceforge.net/nrrd/format.html.
 * Hand-written because the npm NRRD packages are unmaintained or Node-only; only attached data
 * with raw, gzip or text encoding is supported (detached data files are not).
 */
import { gunzipSync } from 'fflate';
import { CorruptFileError, UnsupportedError } from '../errors.js';
import type { GridImage, VoxelArray } from './types.js';
import { allocateVoxels, decodeVoxels, gridAffine, type ScalarType } from './nrrd-util.js';

/** NRRD type names (all spellings of the spec) to scalar types. */
const TYPES: Record<string, ScalarType> = {};
const addType = (t: ScalarType, names: string[]) => names.forEach((n) => (TYPES[n] = t));
addType('int8', ['signed char', 'int8', 'int8_t']);
addType('uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']);
addType('int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']);
addType('uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']);
addType('int32', ['int', 'signed int', 'int32', 'int32_t']);
addType('uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']);
addType('float32', ['float']);
addType('float64', ['double']);

/** Parsed NRRD header fields (lower-case keys) and where the data starts. */
export interface NrrdHeader {
  fields: Record<string, string>;
  /** Key/value pairs (`key:=value`). */
  keyValues: Record<string, string>;
  dataOffset: number;
}

/** Parses the text header of an NRRD file up to the blank line that ends it. */
export function parseNrrdHeader(bytes: Uint8Array, file: string): NrrdHeader {
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  if (!/^NRRD000[1-5]$/.test(magic)) throw new CorruptFileError(file, `not an NRRD file (magic '${magic.replace(/[^\x20-\x7e]/g, '?')}')`, 0);
  const fields: Record<string, string> = {};
  const keyValues: Record<string, string> = {};
  let p = 0;
  for (;;) {
    const nl = bytes.indexOf(10, p);
    if (nl < 0) throw new CorruptFileError(file, 'truncated NRRD header: no blank line before the data', bytes.length);
    const line = new TextDecoder('latin1').decode(bytes.subarray(p, nl)).replace(/\r$/, '');
    const lineOffset = p;
    p = nl + 1;
    if (line === '') break;
    if (lineOffset === 0 || line.startsWith('#')) continue;
    const kv = line.indexOf(':=');
    const f = line.indexOf(': ');
    if (kv >= 0 && (f < 0 || kv < f)) keyValues[line.slice(0, kv)] = line.slice(kv + 2);
    else if (f >= 0) fields[line.slice(0, f).toLowerCase()] = line.slice(f + 2).trim();
    else throw new CorruptFileError(file, `malformed NRRD header line '${line}'`, lineOffset);
  }
  return { fields, keyValues, dataOffset: p };
}

/**
 * Reads an NRRD file with attached data into a GridImage: shape slowest axis first ([D, H, W]),
 * spacing from `space directions` (vector lengths) or `spacings`, origin from `space origin`.
 */
export function readNrrd(bytes: Uint8Array, file: string): GridImage {
  const { fields, dataOffset } = parseNrrdHeader(bytes, file);
  const need = (k: string) => {
    const v = fields[k];
    if (v === undefined) throw new CorruptFileError(file, `NRRD header lacks the required field '${k}'`);
    return v;
  };
  const type = TYPES[need('type')];
  if (type === undefined) throw new UnsupportedError(file, `NRRD type '${fields.type}' is not supported`);
  const dim = Number(need('dimension'));
  const sizes = need('sizes').split(/\s+/).map(Number);
  if (!Number.isInteger(dim) || dim < 1 || sizes.length !== dim || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new CorruptFileError(file, `inconsistent NRRD dimension '${fields.dimension}' and sizes '${fields.sizes}'`);
  }
  if (fields['data file'] !== undefined || fields.datafile !== undefined) throw new UnsupportedError(file, 'NRRD with a detached data file is not supported; save it with attached data (.nrrd)');
  const count = sizes.reduce((a, b) => a * b, 1);
  const encoding = need('encoding').toLowerCase();
  const littleEndian = (fields.endian ?? 'little').toLowerCase() !== 'big';
  const skip = Number(fields['byte skip'] ?? 0);
  if (!Number.isInteger(skip) || skip < 0) throw new UnsupportedError(file, `NRRD byte skip '${fields['byte skip']}' is not supported`);
  let data: VoxelArray;
  if (encoding === 'raw' || encoding === 'gzip' || encoding === 'gz') {
    let payload = bytes.subarray(dataOffset);
    if (encoding !== 'raw') {
      try {
        payload = gunzipSync(payload);
      } catch (e) {
        throw new CorruptFileError(file, `gzip data cannot be inflated (truncated or corrupt): ${(e as Error).message}`, dataOffset);
      }
    }
    payload = payload.subarray(skip);
    data = decodeVoxels(type, payload, count, littleEndian, (have, want) => {
      throw new CorruptFileError(file, `data holds ${have} bytes, ${fields.sizes} ${fields.type} voxels need ${want}`, encoding === 'raw' ? bytes.length : undefined);
    });
  } else if (encoding === 'text' || encoding === 'txt' || encoding === 'ascii') {
    const values = new TextDecoder('latin1').decode(bytes.subarray(dataOffset)).trim().split(/\s+/).filter((s) => s !== '').map(Number);
    if (values.length < count || values.slice(0, count).some((v) => Number.isNaN(v))) throw new CorruptFileError(file, `text data holds ${values.length} numbers (or non-numbers), ${count} needed`, dataOffset);
    data = allocateVoxels(type, count);
    data.set(values.slice(0, count));
  } else {
    throw new UnsupportedError(file, `NRRD encoding '${encoding}' is not supported (raw, gzip, text are)`);
  }
  const { affine, spacing, origin } = geometry(fields, sizes, file);
  const space = (fields.space ?? '').toLowerCase();
  const spaceCode = space === 'left-posterior-superior' || space === 'lps' ? 'LPS' : space === 'right-anterior-superior' || space === 'ras' ? 'RAS' : space || 'index';
  return { data, shape: [...sizes].reverse(), spacing: [...spacing].reverse(), origin, affine, space: spaceCode };
}

/** Spacing per file axis (fastest first), origin and voxel-to-world affine from the header. */
function geometry(fields: Record<string, string>, sizes: number[], file: string) {
  const dim = sizes.length;
  let dirs: (number[] | null)[] = sizes.map(() => null);
  if (fields['space directions'] !== undefined) {
    const parts = fields['space directions'].split(/\s+(?=\(|none)/).map((s) => s.trim());
    if (parts.length !== dim) throw new CorruptFileError(file, `'space directions' has ${parts.length} entries for ${dim} axes`);
    dirs = parts.map((s) => (s === 'none' ? null : parseVector(s, file)));
  }
  const spacings = fields.spacings?.split(/\s+/).map(Number);
  const spacing = sizes.map((_, a) => {
    const d = dirs[a];
    if (d) return Math.hypot(...d);
    const s = spacings?.[a];
    return s !== undefined && Number.isFinite(s) ? s : 1;
  });
  const origin = fields['space origin'] !== undefined ? parseVector(fields['space origin'], file) : [0, 0, 0];
  const spatial = dirs.filter((d): d is number[] => d !== null);
  const columns = spatial.length > 0 ? spatial : spacing.slice(0, 3).map((s, a) => [0, 0, 0].map((_, r) => (r === a ? s : 0)));
  return { spacing, origin, affine: gridAffine(columns, origin) };
}

function parseVector(s: string, file: string): number[] {
  const m = /^\(([^)]*)\)$/.exec(s.trim());
  const v = m ? m[1].split(',').map(Number) : [];
  if (v.length === 0 || v.some((x) => !Number.isFinite(x))) throw new CorruptFileError(file, `malformed NRRD vector '${s}'`);
  return v;
}
