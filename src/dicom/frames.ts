/**
 * Getting each frame's raw stored values out of PixelData: native (uncompressed, any endianness,
 * 1-bit packed, planar or interleaved colour) and encapsulated (fragments grouped into frames).
 */
import { CorruptFileError } from '../errors.js';
import { decodeCompressedFrame, NATIVE_SYNTAXES, type DecodedFrame, type FrameLayout } from './codecs.js';

/** Everything needed to pull frames out of PixelData. */
export interface PixelLayout extends FrameLayout {
  frames: number;
  /** 0 interleaved (RGBRGB...), 1 planar (RR..GG..BB..); only matters for native colour data. */
  planarConfiguration: number;
  transferSyntaxUID: string;
}

function asBytes(part: unknown): Uint8Array | undefined {
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  return undefined;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** True when a fragment starts a new codestream (JPEG SOI, J2K SOC, or a JP2 box). */
function startsCodestream(b: Uint8Array): boolean {
  if (b.length >= 2 && b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f)) return true;
  return b.length >= 8 && b[4] === 0x6a && b[5] === 0x50 && b[6] === 0x20 && b[7] === 0x20;
}

/**
 * Groups the encapsulated fragments dcmjs returns into one byte array per frame. dcmjs already
 * merges by the Basic Offset Table when there is one; without it, a single frame takes all
 * fragments, and several frames are split where a fragment starts a new codestream.
 */
export function encapsulatedFrames(pixelData: unknown, frames: number, file: string): Uint8Array[] {
  const list = Array.isArray(pixelData) ? pixelData : [pixelData];
  const parts = list.map((p) => (Array.isArray(p) ? concat(p.map((q) => asBytes(q) ?? new Uint8Array(0))) : asBytes(p))).filter((p): p is Uint8Array => !!p && p.length > 0);
  if (parts.length === 0) throw new CorruptFileError(file, 'encapsulated PixelData has no fragments');
  if (parts.length === frames) return parts;
  if (frames === 1) return [concat(parts)];
  const grouped: Uint8Array[][] = [];
  for (const p of parts) {
    if (grouped.length === 0 || startsCodestream(p)) grouped.push([p]);
    else grouped[grouped.length - 1].push(p);
  }
  if (grouped.length !== frames) throw new CorruptFileError(file, `encapsulated PixelData has ${parts.length} fragments forming ${grouped.length} frames, but NumberOfFrames is ${frames}`);
  return grouped.map(concat);
}

/** Unpacks 1-bit PixelData (bits run on across frame boundaries, least significant bit first). */
function unpackBits(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (bytes[i >> 3] >> (i & 7)) & 1;
  return out;
}

/** Converts planar (RR..GG..BB..) samples to interleaved (RGBRGB...). */
function interleave<T extends DecodedFrame>(planar: T, samples: number): T {
  const pixels = planar.length / samples;
  const out = new (planar.constructor as new (n: number) => T)(planar.length);
  for (let s = 0; s < samples; s++) for (let p = 0; p < pixels; p++) out[p * samples + s] = planar[s * pixels + p];
  return out;
}

/** Reads native frame `f` as integers of BitsAllocated width, signed per PixelRepresentation (BitsStored masking happens later). */
function nativeFrame(bytes: Uint8Array, layout: PixelLayout, f: number): DecodedFrame {
  const n = layout.rows * layout.cols * layout.samplesPerPixel;
  const bps = layout.bitsAllocated / 8;
  const start = f * n * bps;
  const little = layout.transferSyntaxUID !== '1.2.840.10008.1.2.2';
  let out: DecodedFrame;
  if (bps === 1) out = bytes.slice(start, start + n);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + start, n * bps);
    if (bps === 2) {
      const a = new Uint16Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getUint16(2 * i, little);
      out = a;
    } else {
      const a = new Uint32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getUint32(4 * i, little);
      out = a;
    }
  }
  if (layout.planarConfiguration === 1 && layout.samplesPerPixel > 1) out = interleave(out, layout.samplesPerPixel);
  return layout.pixelRepresentation === 1 ? asSigned(out) : out;
}

/** Views unsigned integers as two's complement of the same width (no copy). */
function asSigned(a: DecodedFrame): DecodedFrame {
  if (a instanceof Uint8Array) return new Int8Array(a.buffer, a.byteOffset, a.length);
  if (a instanceof Uint16Array) return new Int16Array(a.buffer, a.byteOffset, a.length);
  if (a instanceof Uint32Array) return new Int32Array(a.buffer, a.byteOffset, a.length);
  return a;
}

/**
 * Yields every frame's raw values (samples interleaved, signed when PixelRepresentation is 1 and
 * the codec allows), decoding compressed frames with
 * the codec of the transfer syntax. Throws CorruptFileError when PixelData is too short.
 */
export async function* pixelFrames(pixelData: unknown, layout: PixelLayout, file: string): AsyncGenerator<DecodedFrame> {
  const perFrame = layout.rows * layout.cols * layout.samplesPerPixel;
  if (layout.transferSyntaxUID in NATIVE_SYNTAXES) {
    const first = Array.isArray(pixelData) ? pixelData[0] : pixelData;
    const bytes = asBytes(first);
    if (!bytes) throw new CorruptFileError(file, 'PixelData is empty or not binary');
    if (layout.bitsAllocated === 1) {
      const need = Math.ceil((perFrame * layout.frames) / 8);
      if (bytes.length < need) throw new CorruptFileError(file, `PixelData holds ${bytes.length} bytes but ${layout.frames} 1-bit frames of ${layout.rows}x${layout.cols} need ${need}`);
      const all = unpackBits(bytes, perFrame * layout.frames);
      for (let f = 0; f < layout.frames; f++) yield all.subarray(f * perFrame, (f + 1) * perFrame);
      return;
    }
    if (![8, 16, 32].includes(layout.bitsAllocated)) throw new CorruptFileError(file, `BitsAllocated ${layout.bitsAllocated} is not 1, 8, 16 or 32`);
    const need = perFrame * layout.frames * (layout.bitsAllocated / 8);
    if (bytes.length < need) {
      throw new CorruptFileError(file, `PixelData holds ${bytes.length} bytes but ${layout.frames} frame(s) of ${layout.rows}x${layout.cols}x${layout.samplesPerPixel} at ${layout.bitsAllocated} bits need ${need}`);
    }
    for (let f = 0; f < layout.frames; f++) yield nativeFrame(bytes, layout, f);
    return;
  }
  const frames = encapsulatedFrames(pixelData, layout.frames, file);
  for (let f = 0; f < frames.length; f++) {
    const decoded = await decodeCompressedFrame(layout.transferSyntaxUID, frames[f], layout, f, file);
    if (decoded.length < perFrame) throw new CorruptFileError(file, `frame ${f + 1} decoded to ${decoded.length} samples, expected ${perFrame}`);
    yield decoded;
  }
}
