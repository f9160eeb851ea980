/**
 * Browser-safe SHA-256 hashing of training data through Web Crypto (`crypto.subtle`, global in
 * browsers and Node >= 20), so a saved model records exactly which arrays trained it.
 */
import type { LabeledDataset } from '../data/types.js';

function hex(buf: ArrayBuffer): string {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** SHA-256 of `data` (bytes, a typed array, or a string as UTF-8) as 64 lowercase hex digits. */
export async function sha256Hex(data: ArrayBufferView | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : bytesOf(data);
  // Copy into a plain ArrayBuffer: subtle.digest rejects views of shared or oversized buffers in some runtimes.
  return hex(await crypto.subtle.digest('SHA-256', bytes.slice()));
}

/**
 * Hash of several arrays, `sha256:<hex>`: the SHA-256 of a JSON list of (array type, byte
 * length, SHA-256 of its bytes) per array, in order. Hashing each array on its own avoids
 * concatenating large datasets in memory; any change of a value, type or order changes it.
 */
export async function hashArrays(arrays: ArrayBufferView[]): Promise<string> {
  const parts: [string, number, string][] = [];
  for (const a of arrays) parts.push([a.constructor.name, a.byteLength, await sha256Hex(a)]);
  return `sha256:${await sha256Hex(JSON.stringify(parts))}`;
}

/** Hash of a labelled dataset: its samples, shape and labels (`sha256:<hex>`). */
export function hashDataset(ds: Pick<LabeledDataset, 'x' | 'shape' | 'y'>): Promise<string> {
  return hashArrays([ds.x, Int32Array.from(ds.shape), ds.y]);
}
