/**
 * The browser smoke scenario, written once and run twice: in headless Chromium against the
 * esbuild bundle (medlens.js) and in Node against src/ as the reference. It only receives the
 * medlens module, so the page exercises exactly what the bundle exports.
 */
import type * as Medlens from '../../src/index.js';

/** What the scenario measures; plain JSON so the page can post it back. */
export interface SmokeResult {
  backend: string;
  threads: number;
  /** Saliency of class 1 for 3 synthetic beats, [3, T] flattened. */
  saliency: number[];
  /** GradCAM of class 1 at the default CAM layer, upsampled to [3, T]. */
  gradcam: number[];
  /** True when every value of both attributions is finite. */
  finite: boolean;
  png: { shape: number[]; bitDepth: number; data: number[] };
  /** The DICOM image decoded from `dicomBytes`: shape, syntax, sum and every 4099th value. */
  dicom?: { shape: number[]; transferSyntax: string; sum: number; sample: number[] };
  /** Tensors alive after the scenario disposed everything it made (leak check). */
  tensorsLeft: number;
}

/**
 * Generates 3 ECG beats, builds a small seeded ecg-cnn, explains class 1 with Saliency and GradCAM,
 * decodes `pngBytes` and, when given, `dicomBytes` (a compressed file exercises a codec that the
 * bundle loads lazily as a separate chunk). The caller selects the backend first.
 */
export async function smokeScenario(m: typeof Medlens, pngBytes: Uint8Array, dicomBytes?: Uint8Array): Promise<SmokeResult> {
  const { tf } = m;
  const before = tf.memory().numTensors;
  const beats = m.generateEcgBeats({ n: 3, seed: 11, fs: 120 });
  const model = m.buildModel('ecg-cnn', { inputShape: beats.shape.slice(1), numClasses: 3, seed: 5, width: 0.5, depth: 2 });
  const x = tf.tensor(beats.x, beats.shape);
  const saliency = await m.explain(model, x, { method: 'Saliency', target: 1 });
  const gradcam = await m.explain(model, x, { method: 'GradCAM', target: 1 });
  x.dispose();
  model.dispose();
  const values = [...saliency.values, ...gradcam.values];
  const png = m.decodePngImage(pngBytes, 'sample.png');
  const info = m.backendInfo();
  let dicom: SmokeResult['dicom'];
  if (dicomBytes) {
    const im = await m.readDicomImage(dicomBytes, 'sample.dcm');
    const sample: number[] = [];
    for (let i = 0; i < im.data.length; i += 4099) sample.push(im.data[i]);
    dicom = { shape: im.shape, transferSyntax: String(im.meta.transferSyntaxUID), sum: im.data.reduce((a, v) => a + v, 0), sample };
  }
  return {
    backend: tf.getBackend(),
    threads: info?.threads ?? 1,
    saliency: Array.from(saliency.values),
    gradcam: Array.from(gradcam.values),
    finite: values.every(Number.isFinite),
    png: { shape: png.shape, bitDepth: png.bitDepth, data: Array.from(png.data) },
    ...(dicom ? { dicom } : {}),
    tensorsLeft: tf.memory().numTensors - before,
  };
}
