import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { sharedData } from '../helpers.js';
import { readNrrd, parseNrrdHeader } from '../../src/data/nrrd.js';
import { readNrrdFile } from '../../src/node/data.js';
import { readBytes } from '../../src/node/fs.js';
import { CorruptFileError, FileAccessError, UnsupportedError } from '../../src/errors.js';

const ct = sharedData('ct/dcmqi-ct3slice');
const enc = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
};

/** Voxel count per label and nonzero voxels per slice. */
function labelStats(data: ArrayLike<number>, sliceSize: number) {
  const counts: Record<number, number> = {};
  const perSlice: number[] = [];
  for (let i = 0; i < data.length; i++) {
    counts[data[i]] = (counts[data[i]] ?? 0) + 1;
    const s = Math.floor(i / sliceSize);
    perSlice[s] = (perSlice[s] ?? 0) + (data[i] !== 0 ? 1 : 0);
  }
  return { counts, perSlice };
}

test('dcmqi CT label maps (gzip NRRD): shape, geometry and label counts match a numpy/gzip reference', { skip: ct.skip }, () => {
  // Reference: numpy.frombuffer(gzip.decompress(data after the blank line), '<i2') per file.
  const expected: Record<string, { counts: Record<number, number>; perSlice: number[]; first: number[] }> = {
    liver: { counts: { 0: 679334, 1: 107098 }, perSlice: [36233, 35645, 35220], first: [0, 145, 254] },
    spine: { counts: { 0: 773993, 2: 12439 }, perSlice: [4135, 4200, 4104], first: [0, 339, 251] },
    heart: { counts: { 0: 744983, 3: 41449 }, perSlice: [15494, 13649, 12306], first: [0, 211, 371] },
  };
  for (const [name, exp] of Object.entries(expected)) {
    const g = readNrrdFile(path.join(ct.path, `${name}_seg.nrrd`));
    assert.ok(g.data instanceof Int16Array);
    assert.deepEqual(g.shape, [3, 512, 512]);
    assert.deepEqual(labelStats(g.data, 512 * 512), { counts: exp.counts, perSlice: exp.perSlice });
    const firstIdx = g.data.findIndex((v) => v !== 0);
    assert.deepEqual([Math.floor(firstIdx / 512 / 512), Math.floor(firstIdx / 512) % 512, firstIdx % 512], exp.first);
    assert.deepEqual(g.spacing, [1, 0.810547, 0.810547]);
    assert.deepEqual(g.origin, [-235.2, -226.8, -128.69]);
    assert.equal(g.space, 'LPS');
    assert.deepEqual(g.affine, [[0.810547, 0, 0, -235.2], [0, 0.810547, 0, -226.8], [0, 0, 1, -128.69], [0, 0, 0, 1]]);
  }
});

test('dcmqi NRRD truncated, corrupted or missing gives typed errors', { skip: ct.skip }, () => {
  const file = path.join(ct.path, 'liver_seg.nrrd');
  const bytes = readBytes(file);
  const { dataOffset } = parseNrrdHeader(bytes, file);
  assert.throws(() => readNrrd(bytes.subarray(0, bytes.length - 100), 'cut.nrrd'), (e: unknown) => e instanceof CorruptFileError && /inflate/.test(e.message) && e.offset === dataOffset);
  assert.throws(() => readNrrd(bytes.subarray(0, 60), 'cuthdr.nrrd'), (e: unknown) => e instanceof CorruptFileError && /no blank line/.test(e.message));
  const bad = bytes.slice();
  bad[0] = 0x58;
  assert.throws(() => readNrrd(bad, 'magic.nrrd'), (e: unknown) => e instanceof CorruptFileError && e.offset === 0);
  assert.throws(() => readNrrdFile(path.join(ct.path, 'nope.nrrd')), FileAccessError);
});

test('raw big-endian, text encoding, spacings and channel axis of hand-made NRRDs', () => {
  const be = concat(enc('NRRD0004\ntype: uint16\ndimension: 2\nsizes: 3 2\nendian: big\nencoding: raw\nspacings: 0.5 2\nkey:=value: with colon\n\n'), new Uint8Array([0, 1, 0, 2, 0, 3, 1, 0, 0, 5, 0xff, 0xff]));
  const g = readNrrd(be, 'be.nrrd');
  assert.ok(g.data instanceof Uint16Array);
  assert.deepEqual([...g.data], [1, 2, 3, 256, 5, 65535]);
  assert.deepEqual(g.shape, [2, 3]);
  assert.deepEqual(g.spacing, [2, 0.5]);
  assert.deepEqual(parseNrrdHeader(be, 'be.nrrd').keyValues, { key: 'value: with colon' });
  const txt = readNrrd(enc('NRRD0005\r\ntype: float\r\ndimension: 1\r\nsizes: 4\r\nencoding: ascii\r\n\r\n1.5 -2\n3e2 4\n'), 'txt.nrrd');
  assert.deepEqual([...txt.data], [1.5, -2, 300, 4]);
  const vec = readNrrd(concat(enc('NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 1\nspace: right-anterior-superior\nspace directions: none (2,0,0) (0,3,0)\nkinds: vector domain domain\nencoding: gzip\n\n'), gzipSync(new Uint8Array([1, 2, 3, 4]))), 'vec.nrrd');
  assert.deepEqual(vec.shape, [1, 2, 2], 'the fastest (vector) axis ends up last, as channels');
  assert.deepEqual(vec.spacing, [3, 2, 1]);
  assert.equal(vec.space, 'RAS');
  assert.deepEqual(vec.affine[0], [2, 0, 0, 0]);
});

test('malformed and unsupported NRRD headers throw typed errors', () => {
  const hdr = (lines: string, data = new Uint8Array(8)) => concat(enc(`NRRD0004\n${lines}\n\n`), data);
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 2\nsizes: 2 2'), 'noenc.nrrd'), (e: unknown) => e instanceof CorruptFileError && /encoding/.test(e.message));
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 3\nsizes: 2 2\nencoding: raw'), 'dim.nrrd'), CorruptFileError);
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 2\nsizes: 4 4\nencoding: raw'), 'short.nrrd'), (e: unknown) => e instanceof CorruptFileError && /holds 8 bytes/.test(e.message));
  assert.throws(() => readNrrd(hdr('this line has no separator'), 'line.nrrd'), (e: unknown) => e instanceof CorruptFileError && e.offset === 9);
  assert.throws(() => readNrrd(hdr('type: block\ndimension: 1\nsizes: 1\nencoding: raw'), 'block.nrrd'), UnsupportedError);
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 1\nsizes: 1\nencoding: bzip2'), 'bz.nrrd'), UnsupportedError);
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 1\nsizes: 1\nencoding: raw\ndata file: x.raw'), 'det.nhdr'), UnsupportedError);
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 1\nsizes: 2\nencoding: raw\nspace origin: (1,x,3)'), 'org.nrrd'), CorruptFileError);
  assert.throws(() => readNrrd(hdr('type: short\ndimension: 1\nsizes: 3\nencoding: text', enc('1 2')), 'txt.nrrd'), CorruptFileError);
});
