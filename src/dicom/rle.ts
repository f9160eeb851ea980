/**
 * DICOM RLE Lossless (PS3.5 Annex G) frame decoder. Written by hand because it is ~40 lines of
 * PackBits and no maintained npm package decodes the DICOM segment layout on its own.
 */
import { CorruptFileError, UnsupportedError } from '../errors.js';
import type { DecodedFrame, FrameLayout } from './codecs.js';

/** Decodes one PackBits segment into `out` (length = pixel count); returns bytes written. */
function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const n = (src[i++] << 24) >> 24; // as int8
    if (n >= 0) {
      const len = Math.min(n + 1, end - i, out.length - o);
      out.set(src.subarray(i, i + len), o);
      i += n + 1;
      o += len;
    } else if (n !== -128) {
      const len = Math.min(1 - n, out.length - o);
      out.fill(src[i++], o, o + len);
      o += len;
    }
  }
  return o;
}

/**
 * Decodes an RLE Lossless frame into interleaved stored values. Segments are ordered sample by
 * sample, most significant byte first, as the standard prescribes.
 */
export function decodeRleFrame(data: Uint8Array, layout: FrameLayout, what: string, file: string): DecodedFrame {
  const bytesPerSample = layout.bitsAllocated / 8;
  if (![1, 2, 4].includes(bytesPerSample)) throw new UnsupportedError(file, `${what}: RLE with ${layout.bitsAllocated} bits allocated is not supported`);
  if (data.length < 64) throw new CorruptFileError(file, `${what}: RLE header needs 64 bytes, frame has ${data.length}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const nSeg = view.getUint32(0, true);
  const expected = layout.samplesPerPixel * bytesPerSample;
  if (nSeg !== expected) throw new CorruptFileError(file, `${what}: RLE header lists ${nSeg} segments, expected ${expected}`);
  const pixels = layout.rows * layout.cols;
  const out = new Uint8Array(pixels * expected);
  const seg = new Uint8Array(pixels);
  for (let s = 0; s < nSeg; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < nSeg ? view.getUint32(8 + 4 * s, true) : data.length;
    if (start < 64 || end > data.length || end < start) throw new CorruptFileError(file, `${what}: RLE segment ${s + 1} offset ${start} is out of range`);
    const written = unpackBits(data, start, end, seg);
    if (written < pixels) throw new CorruptFileError(file, `${what}: RLE segment ${s + 1} decodes to ${written} bytes, expected ${pixels}`);
    const sample = Math.floor(s / bytesPerSample);
    // Segment k of a sample holds its k-th most significant byte; write little-endian in place.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    for (let p = 0; p < pixels; p++) out[(p * layout.samplesPerPixel + sample) * bytesPerSample + byteInSample] = seg[p];
  }
  const signed = layout.pixelRepresentation === 1;
  if (bytesPerSample === 1) return signed ? new Int8Array(out.buffer) : out;
  if (bytesPerSample === 2) return signed ? new Int16Array(out.buffer) : new Uint16Array(out.buffer);
  return signed ? new Int32Array(out.buffer) : new Uint32Array(out.buffer);
}
