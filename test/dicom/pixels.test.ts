/** Pixel pipeline on synthetic files built byte by byte: syntaxes, masking, sign, rescale, colour, RLE, windowing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDicomImage } from '../../src/dicom/image.js';
import { multiframeToVolume } from '../../src/dicom/volume.js';
import { windowValue, storedValue, modalityRange } from '../../src/dicom/voi.js';
import { CorruptFileError, InvalidInputError, UnsupportedError } from '../../src/errors.js';
import { buildDicom, DEFLATED, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, imageElements, RLE, rleFrame, words, type Element } from './build-dicom.js';

const signedValues = [-1000, -1, 0, 1, 32767, -32768];

function ctFile(syntax: string, values: number[]): Uint8Array {
  return buildDicom(syntax, [
    ...imageElements({ rows: 2, cols: 3, bitsAllocated: 16, signed: true }),
    { tag: 0x00281052, vr: 'DS', value: '-5' },
    { tag: 0x00281053, vr: 'DS', value: '2' },
    { tag: 0x7fe00010, vr: 'OW', value: words(values, syntax !== EXPLICIT_BE) },
  ]);
}

test('signed 16-bit with rescale reads the same in implicit LE, explicit LE, explicit BE and deflated', async () => {
  for (const syntax of [IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE, DEFLATED]) {
    const im = await readDicomImage(ctFile(syntax, signedValues), `ct-${syntax}.dcm`);
    assert.deepEqual(im.shape, [1, 2, 3, 1]);
    assert.deepEqual([...im.data], signedValues.map((v) => v * 2 - 5), syntax);
    assert.equal(im.meta.transferSyntaxUID, syntax);
    assert.equal(im.meta.rescaleSlope, 2);
  }
});

test('BitsStored masks the high bits and sign-extends signed samples', async () => {
  const raw = [0xf123, 0x0fff, 0x0800, 0xf7ff];
  const unsigned = await readDicomImage(buildDicom(EXPLICIT_LE, [...imageElements({ rows: 2, cols: 2, bitsAllocated: 16, bitsStored: 12 }), { tag: 0x7fe00010, vr: 'OW', value: words(raw, true) }]), 'u12.dcm');
  assert.deepEqual([...unsigned.data], [0x123, 0xfff, 0x800, 0x7ff]);
  const signed = await readDicomImage(buildDicom(EXPLICIT_LE, [...imageElements({ rows: 2, cols: 2, bitsAllocated: 16, bitsStored: 12, signed: true }), { tag: 0x7fe00010, vr: 'OW', value: words(raw, true) }]), 's12.dcm');
  assert.deepEqual([...signed.data], [0x123, -1, -2048, 2047]);
  // The helper on its own, incl. HighBit above BitsStored - 1 (shifted storage).
  assert.equal(storedValue(0b1111_0000, 4, 7, false), 15);
  assert.equal(storedValue(0b1000_0000, 4, 7, true), -8);
  assert.deepEqual(modalityRange(12, true, 1, -1024), [-3072, 1023]);
});

test('planar RGB is interleaved; multi-frame keeps frame order', async () => {
  // 2x1 RGB, planar: R R G G B B
  const planar = await readDicomImage(buildDicom(EXPLICIT_LE, [...imageElements({ rows: 1, cols: 2, bitsAllocated: 8, samples: 3, planar: 1 }), { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([1, 2, 3, 4, 5, 6]) }]), 'rgb.dcm');
  assert.deepEqual(planar.shape, [1, 1, 2, 3]);
  assert.deepEqual([...planar.data], [1, 3, 5, 2, 4, 6]);
  const frames = await readDicomImage(buildDicom(EXPLICIT_LE, [...imageElements({ rows: 2, cols: 2, bitsAllocated: 8, frames: 3 }), { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(12).map((_, i) => i * 10) }]), 'mf.dcm');
  assert.deepEqual(frames.shape, [3, 2, 2, 1]);
  assert.deepEqual([...frames.data], Array.from({ length: 12 }, (_, i) => i * 10));
});

test('enhanced multi-frame: rescale, positions, spacing, orientation and window from functional groups', async () => {
  const item = (tag: number, els: Element[]): Element => ({ tag, vr: 'SQ', value: '', items: [els] });
  const frame = (slope: string, intercept: string, z: string): Element[] => [
    item(0x00289145, [{ tag: 0x00281052, vr: 'DS', value: intercept }, { tag: 0x00281053, vr: 'DS', value: slope }, { tag: 0x00281054, vr: 'LO', value: 'HU' }]),
    item(0x00209113, [{ tag: 0x00200032, vr: 'DS', value: `-10\\-20\\${z}` }]),
  ];
  const file = buildDicom(EXPLICIT_LE, [
    ...imageElements({ rows: 1, cols: 2, bitsAllocated: 16, signed: true, frames: 2 }),
    { tag: 0x52009229, vr: 'SQ', value: '', items: [[
      item(0x00289110, [{ tag: 0x00280030, vr: 'DS', value: '0.5\\0.25' }, { tag: 0x00180050, vr: 'DS', value: '5' }]),
      item(0x00209116, [{ tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' }]),
      item(0x00289132, [{ tag: 0x00281050, vr: 'DS', value: '40' }, { tag: 0x00281051, vr: 'DS', value: '400' }]),
    ]] },
    { tag: 0x52009230, vr: 'SQ', value: '', items: [frame('1', '-1024', '5'), frame('2', '0', '0')] },
    { tag: 0x7fe00010, vr: 'OW', value: words([1000, 1100, 10, 20], true) },
  ], '1.2.840.10008.5.1.4.1.1.2.1');
  const im = await readDicomImage(file, 'enhanced.dcm');
  assert.deepEqual([...im.data], [-24, 76, 20, 40]);
  assert.deepEqual(im.meta.framePositions, [[-10, -20, 5], [-10, -20, 0]]);
  assert.deepEqual(im.meta.imagePosition, [-10, -20, 5]);
  assert.deepEqual(im.meta.pixelSpacing, [0.5, 0.25]);
  assert.equal(im.meta.sliceThickness, 5);
  assert.deepEqual(im.meta.imageOrientation, [1, 0, 0, 0, 1, 0]);
  assert.deepEqual(im.meta.fileWindow, { center: 40, width: 400 });
  assert.deepEqual([im.meta.rescaleSlope, im.meta.rescaleIntercept], [1, -1024]);
  const vol = multiframeToVolume(im);
  assert.deepEqual(vol.shape, [2, 1, 2, 1]);
  assert.deepEqual([...vol.data], [20, 40, -24, 76]); // frame 2 (z = 0) first
  assert.deepEqual(vol.origin, [-10, -20, 0]);
  assert.deepEqual(vol.spacing, [5, 0.5, 0.25]);
});

test('1-bit pixel data unpacks across frame boundaries, least significant bit first', async () => {
  // 3 frames of 1x3 = 9 bits 1,0,1 / 1,1,0 / 0,0,1: byte 0 holds bits 0..7 LSB first = 0x1d, byte 1 bit 0 = 1.
  const im = await readDicomImage(buildDicom(EXPLICIT_LE, [...imageElements({ rows: 1, cols: 3, bitsAllocated: 1, frames: 3 }), { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([0x1d, 0x01]) }]), 'bits.dcm');
  assert.deepEqual([...im.data], [1, 0, 1, 1, 1, 0, 0, 0, 1]);
});

test('MONOCHROME1 is inverted over the stored range, or as 1 - y after windowing', async () => {
  const els = (photometric: string): Element[] => [...imageElements({ rows: 1, cols: 3, bitsAllocated: 8, photometric }), { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array([0, 10, 255, 0]) }];
  const m1 = await readDicomImage(buildDicom(EXPLICIT_LE, els('MONOCHROME1')), 'm1.dcm');
  assert.deepEqual([...m1.data], [255, 245, 0]);
  assert.equal(m1.meta.inverted, true);
  const raw = await readDicomImage(buildDicom(EXPLICIT_LE, els('MONOCHROME1')), 'm1.dcm', { invertMonochrome1: false });
  assert.deepEqual([...raw.data], [0, 10, 255]);
  const w = { center: 128, width: 256 };
  const win = await readDicomImage(buildDicom(EXPLICIT_LE, els('MONOCHROME1')), 'm1.dcm', { window: w });
  assert.deepEqual([...win.data], [0, 10, 255].map((x) => Math.fround(1 - windowValue(x, w))));
});

test('windowing follows the PS3.3 C.11.2.1.2 formulas', async () => {
  const w = { center: 40, width: 400 };
  assert.equal(windowValue(-160, w), 0); // x <= c - 0.5 - (w-1)/2 = -160
  assert.ok(windowValue(-159.9, w) > 0);
  assert.equal(windowValue(239.01, w), 1); // x > c - 0.5 + (w-1)/2 = 239
  assert.equal(windowValue(40, w), 0.5 / 399 + 0.5);
  assert.equal(windowValue(40, w, 'LINEAR_EXACT'), 0.5);
  assert.equal(windowValue(240, w, 'LINEAR_EXACT'), 1);
  assert.equal(windowValue(40, w, 'SIGMOID'), 0.5);
  assert.ok(Math.abs(windowValue(140, w, 'SIGMOID') - 1 / (1 + Math.exp(-1))) < 1e-12);
  // The file's window is used with window: 'file'; a missing one is a typed error.
  const file = buildDicom(EXPLICIT_LE, [
    ...imageElements({ rows: 1, cols: 2, bitsAllocated: 16, signed: true }),
    { tag: 0x00281050, vr: 'DS', value: '40' },
    { tag: 0x00281051, vr: 'DS', value: '400' },
    { tag: 0x7fe00010, vr: 'OW', value: words([40, 1000], true) },
  ]);
  const im = await readDicomImage(file, 'w.dcm', { window: 'file' });
  assert.deepEqual([...im.data], [Math.fround(0.5 / 399 + 0.5), 1]);
  assert.deepEqual(im.meta.appliedWindow, w);
  // The file's VOILUTFunction is honoured (SIGMOID), and an option overrides it.
  const sigmoidFile = buildDicom(EXPLICIT_LE, [
    ...imageElements({ rows: 1, cols: 2, bitsAllocated: 16, signed: true }),
    { tag: 0x00281050, vr: 'DS', value: '40' },
    { tag: 0x00281051, vr: 'DS', value: '400' },
    { tag: 0x00281056, vr: 'CS', value: 'SIGMOID' },
    { tag: 0x7fe00010, vr: 'OW', value: words([40, 140], true) },
  ]);
  const sig = await readDicomImage(sigmoidFile, 's.dcm', { window: 'file' });
  assert.equal(sig.meta.voiFunction, 'SIGMOID');
  assert.deepEqual([...sig.data], [0.5, Math.fround(1 / (1 + Math.exp(-1)))]);
  const lin = await readDicomImage(sigmoidFile, 's.dcm', { window: 'file', voiFunction: 'LINEAR_EXACT' });
  assert.deepEqual([...lin.data], [0.5, 0.75]);
  await assert.rejects(readDicomImage(ctFile(EXPLICIT_LE, signedValues), 'nowin.dcm', { window: 'file' }), (e) => e instanceof InvalidInputError && /nowin\.dcm has no WindowCenter/.test(e.message));
  await assert.rejects(readDicomImage(ctFile(EXPLICIT_LE, signedValues), 'x.dcm', { window: { center: 0, width: 0 } }), InvalidInputError);
});

test('RLE Lossless decodes to the same values as native storage (16-bit signed, 2 frames; 8-bit RGB)', async () => {
  const frameVals = [signedValues, signedValues.map((v) => -v - 1)];
  const planesOf = (vals: number[]) => [new Uint8Array(vals.map((v) => (v >> 8) & 0xff)), new Uint8Array(vals.map((v) => v & 0xff))];
  const rle = buildDicom(RLE, [...imageElements({ rows: 2, cols: 3, bitsAllocated: 16, signed: true, frames: 2 }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments: frameVals.map((v) => rleFrame(planesOf(v))) }]);
  const im = await readDicomImage(rle, 'rle.dcm');
  assert.deepEqual(im.shape, [2, 2, 3, 1]);
  assert.deepEqual([...im.data], frameVals.flat());
  // RGB: segments R, G, B; a long run exercises replicate runs.
  const n = 300;
  const r = new Uint8Array(n).fill(7);
  const g = new Uint8Array(n).map((_, i) => i % 251);
  const b = new Uint8Array(n).map((_, i) => (i < 150 ? 0 : 255));
  const rgb = await readDicomImage(buildDicom(RLE, [...imageElements({ rows: 10, cols: 30, bitsAllocated: 8, samples: 3 }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments: [rleFrame([r, g, b])] }]), 'rgb-rle.dcm');
  const expected: number[] = [];
  for (let i = 0; i < n; i++) expected.push(r[i], g[i], b[i]);
  assert.deepEqual([...rgb.data], expected);
  // A segment count that does not match the layout is a CorruptFileError naming the file.
  const bad = buildDicom(RLE, [...imageElements({ rows: 2, cols: 3, bitsAllocated: 16, signed: true }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments: [rleFrame([new Uint8Array(6)])] }]);
  await assert.rejects(readDicomImage(bad, 'bad-rle.dcm'), (e) => e instanceof CorruptFileError && /bad-rle\.dcm.*1 segments, expected 2/.test(e.message));
});

test('typed errors: unsupported syntax named, missing PixelData, short PixelData', async () => {
  const mpeg = buildDicom('1.2.840.10008.1.2.4.100', [...imageElements({ rows: 1, cols: 1, bitsAllocated: 8 }), { tag: 0x7fe00010, vr: 'OB', value: '', fragments: [new Uint8Array(4)] }]);
  await assert.rejects(readDicomImage(mpeg, 'video.dcm'), (e) => e instanceof UnsupportedError && /video\.dcm: transfer syntax 1\.2\.840\.10008\.1\.2\.4\.100 \(MPEG2 video\) is not supported/.test(e.message));
  const noPixels = buildDicom(EXPLICIT_LE, imageElements({ rows: 1, cols: 1, bitsAllocated: 8 }));
  await assert.rejects(readDicomImage(noPixels, 'nopix.dcm'), (e) => e instanceof InvalidInputError && /nopix\.dcm: has no PixelData/.test(e.message));
  const short = buildDicom(EXPLICIT_LE, [...imageElements({ rows: 4, cols: 4, bitsAllocated: 16 }), { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(8) }]);
  await assert.rejects(readDicomImage(short, 'short.dcm'), (e) => e instanceof CorruptFileError && /short\.dcm: PixelData holds 8 bytes .* need 32/.test(e.message));
  const noRows = buildDicom(EXPLICIT_LE, [{ tag: 0x00280100, vr: 'US', value: [8] }, { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(2) }]);
  await assert.rejects(readDicomImage(noRows, 'norows.dcm'), (e) => e instanceof CorruptFileError && /missing required tag Rows/.test(e.message));
});
