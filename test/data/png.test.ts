import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { encode } from 'fast-png';
import { sharedData } from '../helpers.js';
import { decodePngImage, encodePngImage } from '../../src/data/png.js';
import { readPngFile } from '../../src/node/data.js';
import { CorruptFileError, FileAccessError, InvalidInputError } from '../../src/errors.js';
import { readBytes } from '../../src/node/fs.js';

const hannover = sharedData('cxr/hannover');

/** Counts of each distinct value. */
function histogram(data: Float32Array): Record<number, number> {
  const h: Record<number, number> = {};
  for (const v of data) h[v] = (h[v] ?? 0) + 1;
  return h;
}

test('Hannover CXR image and lung masks: shape, levels, sums match an independent Python/zlib decode', { skip: hannover.skip }, () => {
  const mask = readPngFile(path.join(hannover.path, 'lung_masks', '00870a9c.png'));
  assert.deepEqual(mask.shape, [524, 640, 1]);
  assert.equal(mask.bitDepth, 8);
  assert.deepEqual(histogram(mask.data), { 0: 187159, 255: 148201 });
  const mask2 = readPngFile(path.join(hannover.path, 'lung_masks', '0a7faa2a.png'));
  assert.deepEqual(mask2.shape, [647, 640, 1]);
  assert.deepEqual(histogram(mask2.data), { 0: 311155, 255: 102925 });
  const img = readPngFile(path.join(hannover.path, 'images', '00870a9c.png'));
  assert.equal(img.data.reduce((s, v) => s + v, 0), 49086089);
  assert.deepEqual([img.data[100 * 640 + 200], img.data[300 * 640 + 320]], [139, 162]);
  const unit = readPngFile(path.join(hannover.path, 'images', '00870a9c.png'), { normalize: true });
  assert.ok(Math.abs(unit.data[100 * 640 + 200] - 139 / 255) < 1e-7);
});

test('Hannover image: encode then decode is lossless; truncation and a flipped byte are CorruptFileError', { skip: hannover.skip }, () => {
  const file = path.join(hannover.path, 'images', '08d780ae.png');
  const img = readPngFile(file);
  const back = decodePngImage(encodePngImage(img, { inputRange: 'raw' }), 'roundtrip.png');
  assert.deepEqual(back.shape, img.shape);
  assert.deepEqual(back.data, img.data);
  const bytes = readBytes(file);
  for (const cut of [4, 30, bytes.length - 20]) {
    assert.throws(() => decodePngImage(bytes.subarray(0, cut), 'cut.png'), CorruptFileError, `cut at ${cut}`);
  }
  const flipped = bytes.slice();
  flipped[200] ^= 0xff;
  assert.throws(() => decodePngImage(flipped, 'flip.png'), (e: unknown) => e instanceof CorruptFileError && /CRC/.test(e.message));
  assert.throws(() => readPngFile(path.join(hannover.path, 'nope.png')), FileAccessError);
});

test('16-bit grey and RGBA round-trips keep every level; unit range scales to the full depth', () => {
  const levels = Float32Array.from({ length: 6 * 5 }, (_, i) => (i * 2311) % 65536);
  const png16 = encodePngImage({ data: levels, shape: [6, 5, 1] }, { bitDepth: 16, inputRange: 'raw' });
  const d16 = decodePngImage(png16, '16.png');
  assert.equal(d16.bitDepth, 16);
  assert.equal(d16.maxValue, 65535);
  assert.deepEqual(d16.data, levels);
  const rgba = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 23);
  const d8 = decodePngImage(encodePngImage({ data: rgba, shape: [2, 3, 4] }), 'rgba.png', { normalize: true });
  assert.deepEqual(d8.shape, [2, 3, 4]);
  for (let i = 0; i < rgba.length; i++) assert.ok(Math.abs(d8.data[i] - rgba[i]) <= 0.5 / 255 + 1e-7);
  const grey = decodePngImage(encodePngImage({ data: [1, 0, 0, 0, 0, 1], shape: [1, 2, 3] }), 'rgb.png', { channels: 'grey' });
  assert.deepEqual(grey.shape, [1, 2, 1]);
  assert.deepEqual([...grey.data].map((v) => Math.round(v * 1000) / 1000), [76.245, 29.07]);
});

test('palette and 1-bit PNGs decode to levels; bad inputs to the encoder throw', () => {
  const onebit = encode({ width: 3, height: 2, data: new Uint8Array([0b10100000, 0b01000000]), depth: 1, channels: 1 });
  const d1 = decodePngImage(onebit, '1bit.png');
  assert.deepEqual([...d1.data], [1, 0, 1, 0, 1, 0]);
  assert.equal(d1.maxValue, 1);
  const pal = encode({ width: 2, height: 1, data: new Uint8Array([1, 0]), depth: 8, channels: 1, palette: [[10, 20, 30], [40, 50, 60]] });
  const dp = decodePngImage(pal, 'pal.png');
  assert.deepEqual(dp.shape, [1, 2, 3]);
  assert.deepEqual([...dp.data], [40, 50, 60, 10, 20, 30]);
  assert.throws(() => encodePngImage({ data: [0, NaN], shape: [1, 2, 1] }), InvalidInputError);
  assert.throws(() => encodePngImage({ data: [0, 1], shape: [1, 3, 1] }), InvalidInputError);
  assert.throws(() => encodePngImage({ data: [0, 1], shape: [2, 1] }), InvalidInputError);
  assert.throws(() => encodePngImage({ data: new Array(5).fill(0), shape: [1, 1, 5] }), InvalidInputError);
  assert.throws(() => decodePngImage(new Uint8Array([1, 2, 3]), 'x.png'), (e: unknown) => e instanceof CorruptFileError && e.offset === 0);
});
