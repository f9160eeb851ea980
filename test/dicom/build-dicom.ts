import zlib from 'node:zlib';

/**
 * Test helper: builds DICOM Part 10 files byte by byte (independently of dcmjs) so tests can
 * check the readers on known content in any transfer syntax: explicit/implicit VR, little/big
 * endian, native or encapsulated pixel data.
 */

/** One data element. Numbers are encoded per VR; strings are padded; bytes are written as given. */
export interface Element {
  tag: number;
  vr: string;
  value: number[] | string | Uint8Array;
  /** Encapsulated pixel data: fragments after an empty Basic Offset Table. */
  fragments?: Uint8Array[];
  /** Items of a sequence (VR SQ), each a list of elements. */
  items?: Element[][];
}

export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BE = '1.2.840.10008.1.2.2';
export const RLE = '1.2.840.10008.1.2.5';
export const DEFLATED = '1.2.840.10008.1.2.1.99';

const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);

class Out {
  parts: number[] = [];
  constructor(readonly little: boolean) {}
  u16(v: number): void {
    const b = [v & 0xff, (v >> 8) & 0xff];
    this.parts.push(...(this.little ? b : b.reverse()));
  }
  u32(v: number): void {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.parts.push(...(this.little ? b : b.reverse()));
  }
  bytes(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]);
  }
}

function encodeValue(el: Element, little: boolean): number[] {
  const o = new Out(little);
  const v = el.value;
  if (v instanceof Uint8Array) o.bytes(v);
  else if (typeof v === 'string') {
    const s = v.length % 2 ? v + (el.vr === 'UI' ? '\0' : ' ') : v;
    for (const ch of s) o.parts.push(ch.charCodeAt(0));
  } else {
    for (const x of v) {
      if (el.vr === 'US' || el.vr === 'SS') o.u16(x & 0xffff);
      else if (el.vr === 'UL' || el.vr === 'SL') o.u32(x >>> 0);
      else throw new Error(`builder: numbers for VR ${el.vr}`);
    }
  }
  return o.parts;
}

function writeElements(o: Out, els: Element[], explicit: boolean): void {
  for (const el of [...els].sort((a, b) => a.tag - b.tag)) {
    o.u16(el.tag >>> 16);
    o.u16(el.tag & 0xffff);
    const undefinedLength = el.fragments !== undefined || el.items !== undefined;
    const value = undefinedLength ? [] : encodeValue(el, o.little);
    if (explicit) {
      o.parts.push(el.vr.charCodeAt(0), el.vr.charCodeAt(1));
      if (LONG.has(el.vr)) {
        o.u16(0);
        o.u32(undefinedLength ? 0xffffffff : value.length);
      } else o.u16(value.length);
    } else o.u32(undefinedLength ? 0xffffffff : value.length);
    if (el.fragments) {
      o.u16(0xfffe), o.u16(0xe000), o.u32(0); // empty Basic Offset Table
      for (const f of el.fragments) {
        o.u16(0xfffe), o.u16(0xe000), o.u32(f.length + (f.length % 2));
        o.bytes(f);
        if (f.length % 2) o.parts.push(0);
      }
      o.u16(0xfffe), o.u16(0xe0dd), o.u32(0);
    } else if (el.items) {
      for (const item of el.items) {
        o.u16(0xfffe), o.u16(0xe000), o.u32(0xffffffff);
        writeElements(o, item, explicit);
        o.u16(0xfffe), o.u16(0xe00d), o.u32(0);
      }
      o.u16(0xfffe), o.u16(0xe0dd), o.u32(0);
    } else o.bytes(value);
  }
}

/** Builds a Part 10 file: preamble, DICM, file meta (explicit LE), then `elements` in `syntax`. */
export function buildDicom(syntax: string, elements: Element[], sopClassUID = '1.2.840.10008.5.1.4.1.1.7'): Uint8Array {
  const meta = new Out(true);
  writeElements(meta, [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: sopClassUID },
    { tag: 0x00020003, vr: 'UI', value: '1.2.3.4' },
    { tag: 0x00020010, vr: 'UI', value: syntax },
  ], true);
  const head = new Out(true);
  head.parts.push(...new Array(128).fill(0), 0x44, 0x49, 0x43, 0x4d);
  writeElements(head, [{ tag: 0x00020000, vr: 'UL', value: [meta.parts.length] }], true);
  const body = new Out(syntax !== EXPLICIT_BE);
  writeElements(body, [{ tag: 0x00080016, vr: 'UI', value: sopClassUID }, ...elements], syntax !== IMPLICIT_LE);
  const dataset = syntax === DEFLATED ? zlib.deflateRawSync(new Uint8Array(body.parts)) : body.parts;
  return new Uint8Array([...head.parts, ...meta.parts, ...dataset]);
}

/** Image pixel module elements for a grey or colour image. */
export function imageElements(o: { rows: number; cols: number; bitsAllocated: number; bitsStored?: number; signed?: boolean; samples?: number; frames?: number; photometric?: string; planar?: number }): Element[] {
  const els: Element[] = [
    { tag: 0x00280002, vr: 'US', value: [o.samples ?? 1] },
    { tag: 0x00280004, vr: 'CS', value: o.photometric ?? ((o.samples ?? 1) === 1 ? 'MONOCHROME2' : 'RGB') },
    { tag: 0x00280010, vr: 'US', value: [o.rows] },
    { tag: 0x00280011, vr: 'US', value: [o.cols] },
    { tag: 0x00280100, vr: 'US', value: [o.bitsAllocated] },
    { tag: 0x00280101, vr: 'US', value: [o.bitsStored ?? o.bitsAllocated] },
    { tag: 0x00280102, vr: 'US', value: [(o.bitsStored ?? o.bitsAllocated) - 1] },
    { tag: 0x00280103, vr: 'US', value: [o.signed ? 1 : 0] },
  ];
  if (o.frames !== undefined) els.push({ tag: 0x00280008, vr: 'IS', value: String(o.frames) });
  if (o.planar !== undefined) els.push({ tag: 0x00280006, vr: 'US', value: [o.planar] });
  return els;
}

/** Encodes 16-bit words (two's complement for negatives) in the given byte order. */
export function words(values: number[], little: boolean): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint16(2 * i, v & 0xffff, little));
  return out;
}

/** PackBits-encodes one RLE segment (replicate runs of >= 3, literal runs otherwise). */
export function packBits(src: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < src.length) {
    let run = 1;
    while (i + run < src.length && run < 128 && src[i + run] === src[i]) run++;
    if (run >= 3) {
      out.push((1 - run) & 0xff, src[i]);
      i += run;
      continue;
    }
    let lit = 0;
    while (i + lit < src.length && lit < 128 && !(i + lit + 2 < src.length && src[i + lit] === src[i + lit + 1] && src[i + lit] === src[i + lit + 2])) lit++;
    out.push(lit - 1, ...src.subarray(i, i + lit));
    i += lit;
  }
  return out;
}

/** Builds an RLE Lossless frame: 64-byte header, then one PackBits segment per byte plane. */
export function rleFrame(planes: Uint8Array[]): Uint8Array {
  const segs = planes.map(packBits);
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segs.length, true);
  let off = 64;
  segs.forEach((s, i) => {
    view.setUint32(4 + 4 * i, off, true);
    off += s.length;
  });
  return new Uint8Array([...header, ...segs.flat()]);
}
