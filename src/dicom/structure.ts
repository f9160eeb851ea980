/**
 * A structural walk over a DICOM Part 10 byte stream that checks every element's declared
 * length against the bytes present. dcmjs zero-fills an element cut short by truncation
 * (a truncated file parses "fine" with zeros for the missing pixels), so this walk is what
 * detects truncation and reports the byte offset. It skips values without decoding them.
 */
import { CorruptFileError } from '../errors.js';

const EXPLICIT_LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQ_END = 0xfffee0dd;

interface Syntax {
  explicit: boolean;
  little: boolean;
}

class Walker {
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(pos: number, n: number, what: string): void {
    if (pos + n > this.bytes.length) {
      throw new CorruptFileError(this.file, `truncated: ${what} needs ${n} bytes but the file ends after ${this.bytes.length - pos}`, pos);
    }
  }

  private u16(pos: number, little: boolean): number {
    return this.view.getUint16(pos, little);
  }

  private u32(pos: number, little: boolean): number {
    return this.view.getUint32(pos, little);
  }

  private tagName(tag: number): string {
    const hex = tag.toString(16).padStart(8, '0');
    return `element (${hex.slice(0, 4)},${hex.slice(4)})`;
  }

  /** Reads one element header at `pos`; returns the position after its value. */
  element(pos: number, syn: Syntax): { next: number; tag: number } {
    this.need(pos, 8, 'an element header');
    const tag = ((this.u16(pos, syn.little) << 16) | this.u16(pos + 2, syn.little)) >>> 0;
    if (tag === ITEM || tag === ITEM_END || tag === SEQ_END) {
      const len = this.u32(pos + 4, syn.little);
      return { next: len === UNDEFINED ? pos + 8 : this.skip(pos + 8, len, 'item'), tag };
    }
    let vr = '';
    let len: number;
    let valuePos: number;
    if (syn.explicit) {
      vr = String.fromCharCode(this.bytes[pos + 4], this.bytes[pos + 5]);
      if (EXPLICIT_LONG_VRS.has(vr)) {
        this.need(pos, 12, 'an element header');
        len = this.u32(pos + 8, syn.little);
        valuePos = pos + 12;
      } else {
        if (!/^[A-Z]{2}$/.test(vr)) throw new CorruptFileError(this.file, `malformed: ${this.tagName(tag)} has invalid VR bytes`, pos + 4);
        len = this.u16(pos + 6, syn.little);
        valuePos = pos + 8;
      }
    } else {
      len = this.u32(pos + 4, syn.little);
      valuePos = pos + 8;
    }
    if (len !== UNDEFINED) return { next: this.skip(valuePos, len, this.tagName(tag)), tag };
    // Undefined length: a sequence or encapsulated pixel data; items of a UN sequence are implicit VR LE.
    const inner: Syntax = vr === 'UN' ? { explicit: false, little: true } : syn;
    return { next: this.sequence(valuePos, inner, this.tagName(tag)), tag };
  }

  private skip(pos: number, len: number, what: string): number {
    this.need(pos, len, `the value of ${what}`);
    return pos + len;
  }

  /** Walks items until the sequence delimiter; returns the position after it. */
  private sequence(pos: number, syn: Syntax, what: string): number {
    for (;;) {
      this.need(pos, 8, `an item of ${what}`);
      const tag = ((this.u16(pos, syn.little) << 16) | this.u16(pos + 2, syn.little)) >>> 0;
      const len = this.u32(pos + 4, syn.little);
      if (tag === SEQ_END) return pos + 8;
      if (tag !== ITEM) throw new CorruptFileError(this.file, `malformed: expected an item tag inside ${what}`, pos);
      if (len !== UNDEFINED) {
        pos = this.skip(pos + 8, len, `an item of ${what}`);
        continue;
      }
      pos += 8;
      for (;;) {
        const el = this.element(pos, syn);
        pos = el.next;
        if (el.tag === ITEM_END) break;
      }
    }
  }

  /** Walks the whole file: meta group (explicit LE), then the dataset in its transfer syntax; returns the syntax UID. */
  walk(): string {
    let pos = 132;
    const meta: Syntax = { explicit: true, little: true };
    let syntaxUid = '';
    while (pos + 2 <= this.bytes.length && this.u16(pos, true) === 0x0002) {
      const start = pos;
      const el = this.element(pos, meta);
      if (el.tag === 0x00020010) syntaxUid = new TextDecoder().decode(this.bytes.subarray(start + 8, el.next)).replace(/[\0 ]/g, '');
      pos = el.next;
    }
    // Deflated datasets cannot be walked without inflating; dcmjs inflates and checks them itself.
    if (syntaxUid === '1.2.840.10008.1.2.1.99') return syntaxUid;
    const syn: Syntax = { explicit: syntaxUid !== '1.2.840.10008.1.2', little: syntaxUid !== '1.2.840.10008.1.2.2' };
    while (pos < this.bytes.length) pos = this.element(pos, syn).next;
    return syntaxUid;
  }
}

/**
 * Checks that every element of a DICOM Part 10 file fits in the bytes present.
 * Throws CorruptFileError with the byte offset of the first element that does not. Returns the
 * transfer syntax UID of the file meta (empty if absent). Deflated datasets are not walked.
 */
export function checkDicomStructure(bytes: Uint8Array, file: string): string {
  return new Walker(bytes, file).walk();
}
