/**
 * Minimal type declarations for the untyped DICOM packages medlens uses (dcmjs, the cornerstone
 * emscripten codecs, jpeg-lossless-decoder-js). Only what src/dicom/ calls is declared.
 */
declare module 'dcmjs' {
  /** A naturalized dataset: keyword -> value (strings, numbers, arrays, sequences, ArrayBuffers). */
  type NaturalDataset = Record<string, unknown>;
  interface DicomDict {
    meta: Record<string, unknown>;
    dict: Record<string, unknown>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }
  interface Logger {
    setLevel(level: string, persist?: boolean): void;
    getLogger(name: string): Logger;
  }
  const dcmjs: {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, unknown>): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): Record<string, unknown>;
        uid(): string;
      };
      DicomDict: new (meta: Record<string, unknown>) => DicomDict;
    };
    log: Logger;
  };
  export default dcmjs;
}

/** Shared shape of the cornerstone emscripten decoders (embind classes). */
declare interface CornerstoneFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}
declare interface CornerstoneDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  readHeader(): void;
  decode(): void;
  getFrameInfo(): CornerstoneFrameInfo;
  delete(): void;
}

/** Emscripten module options medlens passes (silence the codec's console output, find the .wasm). */
declare interface EmscriptenCodecOptions {
  print?: (s: string) => void;
  printErr?: (s: string) => void;
  locateFile?: (name: string, prefix: string) => string;
}
/** Encoders of the full builds (tests use them to make known-answer codestreams). */
declare interface CornerstoneEncoder {
  getDecodedBuffer(info: CornerstoneFrameInfo): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  setDecompositions?(n: number): void;
  delete(): void;
}
declare module '@cornerstonejs/codec-openjpeg/wasmjs' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ J2KEncoder: new () => CornerstoneEncoder & { setDecompositions(n: number): void }; J2KDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ JpegLSEncoder: new () => CornerstoneEncoder; JpegLSDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decode' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ J2KDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ J2KDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decode' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ JpegLSDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ JpegLSDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decode' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ JPEGDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (opts?: EmscriptenCodecOptions) => Promise<{ JPEGDecoder: new () => CornerstoneDecoder }>;
  export default factory;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    numComp: number;
    xDim: number;
    yDim: number;
    numBytes: number;
    precision: number | undefined;
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
