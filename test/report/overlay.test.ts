import test from 'node:test';
import assert from 'node:assert/strict';
import { colormap, colormapTable, scaleToUnit } from '../../src/report/colormap.js';
import { attributionOverlayPng, blankImage, heatmapOverlay, rgbToPng } from '../../src/report/overlay.js';
import { drawLine, ecgGridImage, ecgPicturePng, ecgTraceImage } from '../../src/report/ecg-image.js';
import { WAVE_BAND_COLORS } from '../../src/report/colormap.js';
import { decodePngImage } from '../../src/data/png.js';
import { Attribution } from '../../src/explain/attribution.js';
import { InvalidInputError } from '../../src/errors.js';

const px = (img: { data: Uint8Array; width: number }, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

test('colormaps give matplotlib colours at known points', () => {
  // matplotlib: jet(0) = (0, 0, 0.5), jet(0.5) = (0.4839, 1, 0.4839), jet(1) = (0.5, 0, 0)
  assert.deepEqual(colormap('jet', 0), [0, 0, 128]);
  assert.deepEqual(colormap('jet', 0.5), [123, 255, 123]);
  assert.deepEqual(colormap('jet', 1), [128, 0, 0]);
  // viridis(0) = (0.267, 0.0049, 0.329), viridis(1) = (0.993, 0.906, 0.144)
  assert.deepEqual(colormap('viridis', 0), [68, 1, 84]);
  assert.deepEqual(colormap('viridis', 1), [253, 231, 37]);
  // seismic: dark blue, white at 0.5, dark red
  assert.deepEqual(colormap('seismic', 0), [0, 0, 77]);
  assert.deepEqual(colormap('seismic', 0.5), [255, 255, 255]);
  assert.deepEqual(colormap('seismic', 1), [128, 0, 0]);
  assert.deepEqual(colormap('jet', 7), [128, 0, 0]);
  assert.throws(() => colormap('rainbow' as never, 0.5), InvalidInputError);
  assert.deepEqual(Array.from(colormapTable('jet').subarray(0, 3)), [0, 0, 128]);
  assert.deepEqual(Array.from(scaleToUnit([-2, 0, 1])), [0, 0.5, 0.75]);
  assert.deepEqual(Array.from(scaleToUnit([1, 2, 3])), [0, 0.5, 1]);
  assert.throws(() => scaleToUnit([1, NaN]), /not finite/);
});

test('heatmap overlay: exact blend of grey and colour, PNG round trip', () => {
  // 2x1 image: grey 0 and 1; heat 0 and 1 (unsigned jet); alpha 0.5
  const img = heatmapOverlay([0, 1], [0, 1], 2, 1, { alpha: 0.5 });
  assert.deepEqual(px(img, 0, 0), [0, 0, 64]); // 0.5 * 0 + 0.5 * (0, 0, 128)
  assert.deepEqual(px(img, 1, 0), [192, 128, 128]); // 0.5 * 255 + 0.5 * (128, 0, 0), rounded
  const signed = heatmapOverlay([1, 1], [-1, 1], 2, 1, { alpha: 1 });
  assert.deepEqual(px(signed, 0, 0), [0, 0, 77]);
  assert.deepEqual(px(signed, 1, 0), [128, 0, 0]);
  const dec = decodePngImage(rgbToPng(img), 'overlay.png');
  assert.deepEqual(dec.shape, [1, 2, 3]);
  assert.deepEqual(Array.from(dec.data), [0, 0, 64, 192, 128, 128]);
  assert.throws(() => heatmapOverlay([0], [0, 1], 2, 1), /overlay/);
  assert.throws(() => heatmapOverlay([0, 1], [0, 1], 2, 1, { alpha: 2 }), /alpha/);
  // attribution overlay of an image [1, 2, 2, 1] and the middle slice of a volume
  const a = new Attribution({ method: 'X', values: Float32Array.from([0, 0, 0, 1]), shape: [1, 2, 2, 1], rank: 2 });
  const png = decodePngImage(attributionOverlayPng(a, [0, 1, 0, 1], { alpha: 1 }), 'a.png');
  assert.deepEqual(Array.from(png.data.subarray(9, 12)), [128, 0, 0]);
  const v = new Attribution({ method: 'X', values: Float32Array.from({ length: 12 }, (_, i) => (i >= 4 && i < 8 ? i : 0)), shape: [1, 3, 2, 2, 1], rank: 3 });
  const vol = decodePngImage(attributionOverlayPng(v, new Float32Array(12), { alpha: 1 }), 'v.png');
  assert.deepEqual(Array.from(vol.data.subarray(0, 3)), [0, 0, 128]); // value 4 is the minimum of slice 1
  assert.throws(() => attributionOverlayPng(v, new Float32Array(12), { slice: 3 }), /slice/);
});

test('lines and ECG traces: the line passes through the expected pixels, bands and colours', () => {
  const img = blankImage(5, 5);
  drawLine(img, 0, 4, 4, 0, [0, 0, 0]);
  for (let k = 0; k < 5; k++) assert.deepEqual(px(img, k, 4 - k), [0, 0, 0]);
  assert.deepEqual(px(img, 0, 0), [255, 255, 255]);
  const flat = blankImage(5, 3);
  drawLine(flat, 0, 1, 4, 1, [1, 2, 3]);
  for (let k = 0; k < 5; k++) assert.deepEqual(px(flat, k, 1), [1, 2, 3]);
  // signal 0 -> 1 over 5 columns: the diagonal; relevance 1 on both samples -> jet(1)
  const tr = ecgTraceImage([0, 1], [1, 1], { width: 5, height: 5, range: [0, 1] });
  for (let k = 0; k < 5; k++) assert.deepEqual(px(tr, k, 4 - k), [128, 0, 0]);
  // a flat signal at mid-height, QRS band over the last two of four samples
  const band = ecgTraceImage([0, 0, 0, 0], undefined, { width: 4, height: 3, waves: [0, 0, 2, 2] });
  assert.deepEqual(px(band, 0, 0), [255, 255, 255]);
  assert.deepEqual(px(band, 3, 0), WAVE_BAND_COLORS[2]);
  assert.deepEqual(px(band, 2, 1), [0, 0, 0]);
  const seg = ecgTraceImage([0, 0, 0, 0], undefined, { width: 4, height: 3, waves: [{ wave: 'p', onset: 0, peak: 0, offset: 1 }] });
  assert.deepEqual(px(seg, 0, 0), WAVE_BAND_COLORS[1]);
  assert.throws(() => ecgTraceImage([0, 1], [1], {}), /relevance/);
  assert.throws(() => ecgTraceImage([0, NaN]), /not finite/);
});

test('12-lead grid: 3 x 4 panels in standard order with a shared scale; PNG decodes', () => {
  const t = 10, leads = 12;
  const sig = new Float32Array(t * leads);
  const rel = new Float32Array(t * leads);
  for (let i = 0; i < t; i++) { sig[i * leads + 5] = i; rel[i * leads + 5] = 1; } // lead 6 (aVF): a ramp, relevant
  const g = ecgGridImage(sig, leads, rel, { panelWidth: 10, panelHeight: 10, gap: 2 });
  assert.equal(g.width, 4 * 10 + 3 * 2);
  assert.equal(g.height, 3 * 10 + 2 * 2);
  // aVF = lead index 5 -> row 2, column 1: its ramp ends at the panel's top-right pixel in jet(1)
  assert.deepEqual(px(g, 12 + 9, 24 + 0), [128, 0, 0]);
  assert.deepEqual(px(g, 12 + 0, 24 + 9), [128, 0, 0]);
  // lead I (row 0, column 0) is flat zero at the bottom (shared amplitude 0..9) with relevance 0 -> jet(0)
  assert.deepEqual(px(g, 0, 9), [0, 0, 128]);
  assert.deepEqual(px(g, 10, 0), [160, 160, 160]); // gap
  const png = decodePngImage(ecgPicturePng(sig, leads, rel, { panelWidth: 10, panelHeight: 10, gap: 2 }), 'grid.png');
  assert.deepEqual(png.shape, [34, 46, 3]);
  assert.deepEqual(decodePngImage(ecgPicturePng(sig.subarray(0, 10), 1, undefined, { width: 20, height: 8 }), 'one.png').shape, [8, 20, 3]);
  assert.throws(() => ecgGridImage(sig, 7), /leads/);
});
