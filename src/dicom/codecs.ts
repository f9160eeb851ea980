/**
 * Pixel codecs per transfer syntax. Compressed frames go to maintained codec packages:
 * libjpeg-turbo (JPEG baseline/extended 8-bit), jpeg-lossless-decoder-js (JPEG lossless),
 * CharLS (JPEG-LS), OpenJPEG (JPEG 2000). The cornerstone emscripten codecs ship two builds in
 * the package: WebAssembly (loaded by the glue from beside it) and a self-contained wasm2js
 * build that fetches nothing. Each codec module is instantiated once, lazily.
 */
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import { CorruptFileError, UnsupportedError } from '../errors.js';
import { decodeRleFrame } from './rle.js';

/** Transfer syntaxes whose pixel data is stored uncompressed (deflate only wraps the dataset). */
export const NATIVE_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
};

type CodecName = 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'rle';

/** Encapsulated transfer syntaxes medlens decodes, with their codec. */
export const COMPRESSED_SYNTAXES: Record<string, { name: string; codec: CodecName }> = {
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', codec: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', codec: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, First-Order Prediction (Process 14 SV1)', codec: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', codec: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', codec: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', codec: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', codec: 'jpeg2000' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', codec: 'rle' },
};

/** Well-known syntaxes we recognise but cannot decode, for clearer messages. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  '1.2.840.10008.1.2.4.100': 'MPEG2 video',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 video',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible video',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 video',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 RPCL Lossless',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
};

/** Pixel layout needed to decode one frame. */
export interface FrameLayout {
  rows: number;
  cols: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
}

/** A decoded frame: raw stored values, samples interleaved (pixel-major), rows*cols*samples long. */
export type DecodedFrame = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** Throws UnsupportedError naming the syntax when medlens cannot decode its pixel data. */
export function assertDecodableSyntax(uid: string, file: string): void {
  if (uid in NATIVE_SYNTAXES || uid in COMPRESSED_SYNTAXES) return;
  const known = KNOWN_UNSUPPORTED[uid];
  throw new UnsupportedError(file, `transfer syntax ${uid}${known ? ` (${known})` : ''} is not supported; supported: ${[...Object.keys(NATIVE_SYNTAXES), ...Object.keys(COMPRESSED_SYNTAXES)].join(', ')}`);
}

/**
 * Which build of the emscripten codecs to load. 'wasm' (default in Node: ~10x faster, the glue
 * reads the .wasm beside it) or 'js' (default elsewhere: wasm2js with nothing to fetch, so a
 * browser bundle works offline). `locateWasm` lets a browser app serve the .wasm files itself.
 */
export interface CodecConfig {
  build?: 'wasm' | 'js';
  locateWasm?: (fileName: string) => string;
}

const isNode = typeof process === 'object' && typeof process.versions === 'object' && typeof process.versions.node === 'string';
let config: Required<Pick<CodecConfig, 'build'>> & CodecConfig = { build: isNode ? 'wasm' : 'js' };

interface CornerstoneModules {
  jpeg?: Promise<{ JPEGDecoder: new () => CornerstoneDecoder }>;
  jpegls?: Promise<{ JpegLSDecoder: new () => CornerstoneDecoder }>;
  j2k?: Promise<{ J2KDecoder: new () => CornerstoneDecoder }>;
}
let modules: CornerstoneModules = {};

/** Chooses the codec build (see CodecConfig); takes effect for codecs not loaded yet. */
export function configureDicomCodecs(c: CodecConfig): void {
  config = { ...config, ...c };
  modules = {};
}

function moduleOptions(): EmscriptenCodecOptions {
  const quiet = () => undefined;
  const opts: EmscriptenCodecOptions = { print: quiet, printErr: quiet };
  const locate = config.locateWasm;
  if (locate) opts.locateFile = (name) => locate(name);
  return opts;
}

/** Dynamic imports keep each codec out of memory until a file needs it. */
async function newDecoder(codec: 'jpeg' | 'jpeg-ls' | 'jpeg2000'): Promise<CornerstoneDecoder> {
  const wasm = config.build === 'wasm';
  if (codec === 'jpeg') {
    modules.jpeg ??= (wasm ? import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') : import('@cornerstonejs/codec-libjpeg-turbo-8bit/decode')).then((m) => m.default(moduleOptions()));
    return new (await modules.jpeg).JPEGDecoder();
  }
  if (codec === 'jpeg-ls') {
    modules.jpegls ??= (wasm ? import('@cornerstonejs/codec-charls/decodewasmjs') : import('@cornerstonejs/codec-charls/decode')).then((m) => m.default(moduleOptions()));
    return new (await modules.jpegls).JpegLSDecoder();
  }
  modules.j2k ??= (wasm ? import('@cornerstonejs/codec-openjpeg/decodewasmjs') : import('@cornerstonejs/codec-openjpeg/decode')).then((m) => m.default(moduleOptions()));
  return new (await modules.j2k).J2KDecoder();
}

/** Sample precision declared in a JPEG stream's SOF marker, or undefined if none is found. */
export function jpegPrecision(bytes: Uint8Array): number | undefined {
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return undefined;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return p + 4 < bytes.length ? bytes[p + 4] : undefined;
    p += 2 + ((bytes[p + 2] << 8) | bytes[p + 3]);
  }
  return undefined;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'number') return `codec exception ${e}`;
  return String(e);
}

/** Reinterprets decoded bytes with the bit depth and signedness the codec reports. */
function typed(bytes: Uint8Array, bitsPerSample: number, signed: boolean): DecodedFrame {
  const buf = bytes.slice().buffer;
  if (bitsPerSample <= 8) return signed ? new Int8Array(buf) : new Uint8Array(buf);
  return signed ? new Int16Array(buf) : new Uint16Array(buf);
}

async function decodeCornerstone(codec: 'jpeg' | 'jpeg-ls' | 'jpeg2000', data: Uint8Array, layout: FrameLayout, what: string, file: string): Promise<DecodedFrame> {
  const decoder = await newDecoder(codec);
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // OpenJPEG returns an empty image instead of failing on garbage.
    if (info.width === 0 || info.height === 0) throw new CorruptFileError(file, `${what} could not be decoded (no image in the codestream)`);
    if (info.width !== layout.cols || info.height !== layout.rows || info.componentCount !== layout.samplesPerPixel) {
      throw new CorruptFileError(file, `${what}: codestream is ${info.width}x${info.height}x${info.componentCount} but the header says ${layout.cols}x${layout.rows}x${layout.samplesPerPixel}`);
    }
    return typed(decoder.getDecodedBuffer(), info.bitsPerSample, info.isSigned || layout.pixelRepresentation === 1);
  } catch (e) {
    if (e instanceof CorruptFileError) throw e;
    throw new CorruptFileError(file, `${what} could not be decoded (${describe(e)})`);
  } finally {
    decoder.delete();
  }
}

function decodeJpegLossless(data: Uint8Array, layout: FrameLayout, what: string, file: string): DecodedFrame {
  let out: Uint8Array | Uint16Array;
  const decoder = new JpegLosslessDecoder();
  try {
    const copy = data.slice();
    out = decoder.decode(copy.buffer, 0, copy.length);
  } catch (e) {
    throw new CorruptFileError(file, `${what} could not be decoded (${describe(e)})`);
  }
  if (decoder.xDim !== layout.cols || decoder.yDim !== layout.rows || decoder.numComp !== layout.samplesPerPixel) {
    throw new CorruptFileError(file, `${what}: codestream is ${decoder.xDim}x${decoder.yDim}x${decoder.numComp} but the header says ${layout.cols}x${layout.rows}x${layout.samplesPerPixel}`);
  }
  if (layout.pixelRepresentation === 1) return out instanceof Uint8Array ? new Int8Array(out.buffer, out.byteOffset, out.length) : new Int16Array(out.buffer, out.byteOffset, out.length);
  return out;
}

/**
 * Decodes one encapsulated frame to raw stored values (samples interleaved). `index` is only
 * for messages. Codec failures become CorruptFileError naming the file and frame.
 */
export async function decodeCompressedFrame(syntax: string, data: Uint8Array, layout: FrameLayout, index: number, file: string): Promise<DecodedFrame> {
  const entry = COMPRESSED_SYNTAXES[syntax];
  if (!entry) {
    assertDecodableSyntax(syntax, file);
    throw new Error(`decodeCompressedFrame called with native syntax ${syntax}`);
  }
  const what = `frame ${index + 1} (${entry.name})`;
  switch (entry.codec) {
    case 'jpeg': {
      const precision = jpegPrecision(data);
      if (precision !== undefined && precision > 8) {
        throw new UnsupportedError(file, `${what}: ${precision}-bit JPEG is not supported (the libjpeg-turbo codec decodes 8-bit only)`);
      }
      return decodeCornerstone('jpeg', data, layout, what, file);
    }
    case 'jpeg-ls':
    case 'jpeg2000':
      return decodeCornerstone(entry.codec, data, layout, what, file);
    case 'jpeg-lossless':
      return decodeJpegLossless(data, layout, what, file);
    case 'rle':
      return decodeRleFrame(data, layout, what, file);
  }
}
