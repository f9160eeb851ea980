/** Heatmap Secondary Capture: colour map, blending, and a DICOM round trip through the reader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedData, tmpDir } from '../helpers.js';
import { heatmapOverlayRgb, writeDicomSecondaryCapture, SECONDARY_CAPTURE_SOP_CLASS_UID } from '../../src/dicom/write.js';
import { readDicomImage } from '../../src/dicom/image.js';
import { parseDicom, seq, str } from '../../src/dicom/parse.js';
import { readDicomImageFile, writeDicomSecondaryCaptureFile } from '../../src/node/dicom.js';
import { InvalidInputError } from '../../src/errors.js';
import { colormap } from '../../src/report/colormap.js';

const ctSmall = sharedData('ct/pydicom/CT_small.dcm');

test('heat colours and blending give known pixels', () => {
  // The overlay uses matplotlib's 'jet' (report/colormap.ts): r = (0.5 - 0.35) / 0.31 at t = 0.5.
  assert.deepEqual(colormap('jet', 0), [0, 0, 128]);
  assert.deepEqual(colormap('jet', 0.5), [123, 255, 123]);
  assert.deepEqual(colormap('jet', 1), [128, 0, 0]);
  const rgb = heatmapOverlayRgb({ base: new Float32Array([0, 50, 100]), heatmap: new Float32Array([0, 1, 0.5]), rows: 1, cols: 3, alpha: 1 });
  // heat 0 leaves the grey (0); heat 1 at alpha 1 is the colour; heat 0.5 blends half grey 255 with [123,255,123].
  assert.deepEqual([...rgb], [0, 0, 0, 128, 0, 0, 189, 255, 189]);
  const fixedRange = heatmapOverlayRgb({ base: new Float32Array([-1000, 0, 1000]), baseRange: [-1000, 1000], heatmap: new Float32Array(3), rows: 1, cols: 3 });
  assert.deepEqual([...fixedRange], [0, 0, 0, 128, 128, 128, 255, 255, 255]);
  assert.throws(() => heatmapOverlayRgb({ base: new Float32Array(2), heatmap: new Float32Array([0, NaN]), rows: 1, cols: 2 }), (e) => e instanceof InvalidInputError && /heatmap: value at index 1 is NaN/.test(e.message));
  assert.throws(() => heatmapOverlayRgb({ base: new Float32Array(3), heatmap: new Float32Array(2), rows: 1, cols: 2 }), (e) => e instanceof InvalidInputError && /base: has 3 values, expected 1x2/.test(e.message));
  assert.throws(() => heatmapOverlayRgb({ base: new Float32Array(2), heatmap: new Float32Array(2), rows: 1, cols: 2, alpha: 2 }), InvalidInputError);
  assert.throws(() => heatmapOverlayRgb({ base: new Float32Array(2), heatmap: new Float32Array(2), rows: 1, cols: 2, baseRange: [5, 5] }), (e) => e instanceof InvalidInputError && /baseRange/.test(e.message));
});

test('a Secondary Capture of CT_small + heatmap round-trips through the reader and references the source', { skip: ctSmall.skip }, async () => {
  const src = await readDicomImageFile(ctSmall.path);
  const heat = new Float32Array(128 * 128).map((_, i) => ((i % 128) < 64 && i < 64 * 128 ? 1 : 0));
  const input = { base: src.data, heatmap: heat, rows: 128, cols: 128, baseRange: [-160, 240] as [number, number], source: { ...src.meta.ids, sopClassUID: src.meta.sopClassUID }, sopInstanceUID: '2.25.1234', pixelSpacing: src.meta.pixelSpacing };
  const bytes = writeDicomSecondaryCapture(input);
  const back = await readDicomImage(bytes, 'sc.dcm');
  assert.deepEqual(back.shape, [1, 128, 128, 3]);
  assert.deepEqual([...back.data], [...heatmapOverlayRgb(input)]);
  assert.equal(back.meta.photometric, 'RGB');
  assert.equal(back.meta.sopClassUID, SECONDARY_CAPTURE_SOP_CLASS_UID);
  assert.equal(back.meta.ids?.sopInstanceUID, '2.25.1234');
  assert.equal(back.meta.ids?.studyInstanceUID, src.meta.ids?.studyInstanceUID);
  assert.equal(back.meta.ids?.patientId, src.meta.ids?.patientId);
  assert.notEqual(back.meta.ids?.seriesInstanceUID, src.meta.ids?.seriesInstanceUID);
  assert.match(back.meta.ids?.seriesInstanceUID ?? '', /^2\.25\.\d+$/);
  assert.deepEqual(back.meta.pixelSpacing, src.meta.pixelSpacing);
  const ds = parseDicom(bytes, 'sc.dcm').dataset;
  assert.equal(str(seq(ds, 'SourceImageSequence')[0], 'ReferencedSOPInstanceUID'), src.meta.ids?.sopInstanceUID);
  assert.equal(str(seq(ds, 'ReferencedSeriesSequence')[0], 'SeriesInstanceUID'), src.meta.ids?.seriesInstanceUID);
  // Two writes without explicit UIDs get distinct instance UIDs.
  const a = await readDicomImage(writeDicomSecondaryCapture({ ...input, sopInstanceUID: undefined }), 'a.dcm');
  const b = await readDicomImage(writeDicomSecondaryCapture({ ...input, sopInstanceUID: undefined }), 'b.dcm');
  assert.notEqual(a.meta.ids?.sopInstanceUID, b.meta.ids?.sopInstanceUID);
  // The Node adapter writes the same bytes atomically.
  const out = path.join(tmpDir(), 'sub', 'heat.dcm');
  writeDicomSecondaryCaptureFile(out, input);
  assert.deepEqual((await readDicomImageFile(out)).data, back.data);
});
