/**
 * JPEG-LS and JPEG 2000 decoding, checked by round trip: the CharLS and OpenJPEG encoders of the
 * same packages compress known pixels losslessly, the test wraps them in DICOM, and the reader
 * must return the exact pixels. Also: both codec builds (wasm, wasm2js) and corrupt codestreams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import CharLS from '@cornerstonejs/codec-charls/wasmjs';
import OpenJPEG from '@cornerstonejs/codec-openjpeg/wasmjs';
import { readDicomImage } from '../../src/dicom/image.js';
import { configureDicomCodecs, jpegPrecision } from '../../src/dicom/codecs.js';
import { CorruptFileError, UnsupportedError } from '../../src/errors.js';
import { buildDicom, imageElements } from './build-dicom.js';

const W = 40;
const H = 24;
const pixels = new Int16Array(W * H).map((_, i) => ((i * 977) % 4000) - 2000);
const info = { width: W, height: H, bitsPerSample: 16, componentCount: 1, isSigned: true };
// A fresh options object per module: emscripten uses it as the Module object itself.
const quiet = () => ({ print: () => undefined, printErr: () => undefined });

const charls = CharLS(quiet());
const openjpeg = OpenJPEG(quiet());

async function encodeJpegLs(): Promise<Uint8Array> {
  const enc = new (await charls).JpegLSEncoder();
  enc.getDecodedBuffer(info).set(new Uint8Array(pixels.buffer));
  enc.encode();
  const out = Uint8Array.from(enc.getEncodedBuffer());
  enc.delete();
  return out;
}

async function encodeJ2k(): Promise<Uint8Array> {
  const enc = new (await openjpeg).J2KEncoder();
  enc.setDecompositions(2);
  enc.getDecodedBuffer(info).set(new Uint8Array(pixels.buffer));
  enc.encode();
  const out = Uint8Array.from(enc.getEncodedBuffer());
  enc.delete();
  return out;
}

function wrap(syntax: string, fragments: Uint8Array[], frames?: number): Uint8Array {
  return buildDicom(syntax, [...imageElements({ rows: H, cols: W, bitsAllocated: 16, signed: true, frames }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments }]);
}

test('JPEG-LS lossless (1.2.840.10008.1.2.4.80) returns the encoded pixels exactly, with both codec builds', async () => {
  const file = wrap('1.2.840.10008.1.2.4.80', [await encodeJpegLs()]);
  const wasm = await readDicomImage(file, 'jls.dcm');
  assert.deepEqual([...wasm.data], [...pixels]);
  try {
    configureDicomCodecs({ build: 'js' });
    const js = await readDicomImage(file, 'jls.dcm');
    assert.deepEqual([...js.data], [...pixels]);
  } finally {
    configureDicomCodecs({ build: 'wasm' });
  }
});

test('JPEG 2000 lossless (1.2.840.10008.1.2.4.90): exact pixels; a frame split over fragments; two frames', async () => {
  const cs = await encodeJ2k();
  const one = await readDicomImage(wrap('1.2.840.10008.1.2.4.90', [cs]), 'j2k.dcm');
  assert.deepEqual([...one.data], [...pixels]);
  // One frame in three fragments (no offset table): fragments are concatenated.
  const split = await readDicomImage(wrap('1.2.840.10008.1.2.4.90', [cs.subarray(0, 100), cs.subarray(100, 500), cs.subarray(500)]), 'split.dcm');
  assert.deepEqual([...split.data], [...pixels]);
  // Two frames, the first split in two fragments: grouped by the codestream start marker.
  const two = await readDicomImage(wrap('1.2.840.10008.1.2.4.90', [cs.subarray(0, 300), cs.subarray(300), cs], 2), 'two.dcm');
  assert.deepEqual(two.shape, [2, H, W, 1]);
  assert.deepEqual([...two.data], [...pixels, ...pixels]);
  // The self-contained wasm2js build (what a browser bundle uses) decodes the same.
  try {
    configureDicomCodecs({ build: 'js' });
    assert.deepEqual([...(await readDicomImage(wrap('1.2.840.10008.1.2.4.90', [cs]), 'j2k.dcm')).data], [...pixels]);
  } finally {
    configureDicomCodecs({ build: 'wasm' });
  }
});

test('corrupt codestreams and 12-bit JPEG are typed errors naming file and frame', async () => {
  const cs = await encodeJ2k();
  const garbage = new Uint8Array(cs.length).fill(0x55);
  await assert.rejects(readDicomImage(wrap('1.2.840.10008.1.2.4.90', [garbage]), 'bad-j2k.dcm'), (e) => e instanceof CorruptFileError && /bad-j2k\.dcm: frame 1 \(JPEG 2000 Lossless\) could not be decoded/.test(e.message));
  await assert.rejects(readDicomImage(wrap('1.2.840.10008.1.2.4.80', [garbage]), 'bad-jls.dcm'), (e) => e instanceof CorruptFileError && /bad-jls\.dcm: frame 1 \(JPEG-LS Lossless\)/.test(e.message));
  await assert.rejects(readDicomImage(wrap('1.2.840.10008.1.2.4.70', [garbage]), 'bad-ll.dcm'), (e) => e instanceof CorruptFileError && /bad-ll\.dcm: frame 1 \(JPEG Lossless/.test(e.message));
  const jpegBad = buildDicom('1.2.840.10008.1.2.4.50', [...imageElements({ rows: H, cols: W, bitsAllocated: 8 }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments: [garbage] }]);
  await assert.rejects(readDicomImage(jpegBad, 'bad-jpeg.dcm'), (e) => e instanceof CorruptFileError && /bad-jpeg\.dcm: frame 1 \(JPEG Baseline/.test(e.message));
  // A codestream of another size than the header declares.
  const wrongSize = buildDicom('1.2.840.10008.1.2.4.90', [...imageElements({ rows: H + 1, cols: W, bitsAllocated: 16, signed: true }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments: [cs] }]);
  await assert.rejects(readDicomImage(wrongSize, 'size.dcm'), (e) => e instanceof CorruptFileError && /codestream is 40x24x1 but the header says 40x25x1/.test(e.message));
  // SOF1 with 12-bit precision: FFD8, FFC1, length 11, precision 12.
  const sof12 = new Uint8Array([0xff, 0xd8, 0xff, 0xc1, 0x00, 0x0b, 12, 0, 1, 0, 1, 1, 1, 0x11, 0]);
  assert.equal(jpegPrecision(sof12), 12);
  await assert.rejects(readDicomImage(wrap('1.2.840.10008.1.2.4.51', [sof12]), 'twelve.dcm'), (e) => e instanceof UnsupportedError && /twelve\.dcm: frame 1 .*12-bit JPEG is not supported/.test(e.message));
});
