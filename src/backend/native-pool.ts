/**
 * A size-keyed free list of Float32Arrays for the 'native' backend, like PyTorch's caching
 * allocator: kernel outputs take a released buffer of the same length instead of a fresh
 * zero-filled one. A fresh large typed array is an mmap whose every page faults on first
 * write, and each released one is garbage V8 must find and free (measured on a cnn64 input
 * gradient: ~10% of the time in the GC, ~4.5% allocating outputs).
 *
 * Safety: a buffer is recycled only when the pool allocated it (`take`), it was never handed
 * outside the kernels (tfjs-cpu's dataSync/data return the backend's own array, so a read
 * `disown`s it for good), no other tensor data shares its ArrayBuffer (a view stored by any
 * kernel `disown`s it) and tfjs released its data (refCount 0). Recycled buffers keep their old
 * values: a kernel must write every element of its output or zero it first (`poison` fills
 * recycled buffers with NaN so tests catch kernels that do not).
 */

/** Counters of a pool since creation (or `resetStats`). */
export interface PoolStats {
  /** takes served from the free list / by a fresh array */
  hits: number;
  misses: number;
  /** buffers returned to the free list, and dropped again because the limit was reached */
  recycled: number;
  evicted: number;
  /** bytes now in the free list, and the most ever held there */
  heldBytes: number;
  peakHeldBytes: number;
  limitBytes: number;
}

/** Pool settings: `limitBytes` caps the free list (least recently released dropped first). */
export interface PoolOptions {
  limitBytes: number;
  /** shorter arrays are not pooled (small typed arrays are cheap to allocate) */
  minLength?: number;
  /** fill recycled buffers with NaN before reuse (tests: kernels relying on zeroed outputs fail) */
  poison?: boolean;
}

/** Default free-list cap, MiB (env MEDLENS_NATIVE_POOL_MIB overrides; 0 turns the pool off). */
export const DEFAULT_POOL_MIB = 256;

const recycleListeners: ((values: Float32Array) => void)[] = [];

/**
 * Calls `listener` with every buffer the pool takes back. Caches keyed on an array's identity
 * (conv's reordered weights) must forget it then: a recycled array will hold other values.
 */
export function onBufferRecycled(listener: (values: Float32Array) => void): void {
  recycleListeners.push(listener);
}

/** Pool options from the environment: MEDLENS_NATIVE_POOL_MIB (cap) and MEDLENS_NATIVE_POOL_POISON=1. */
export function poolOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PoolOptions {
  const mib = Number(env.MEDLENS_NATIVE_POOL_MIB ?? DEFAULT_POOL_MIB);
  return { limitBytes: Number.isFinite(mib) && mib > 0 ? mib * 2 ** 20 : 0, poison: env.MEDLENS_NATIVE_POOL_POISON === '1' };
}

/** The free list plus the set of buffers it may recycle (see the module comment). */
export class Float32Pool {
  private readonly free = new Map<number, Float32Array[]>();
  /** every free buffer, least recently released first */
  private readonly lru = new Set<Float32Array>();
  /** ArrayBuffers the pool allocated and nobody outside the kernels has seen */
  private readonly owned = new WeakSet<ArrayBuffer>();
  private readonly minLength: number;
  private stats: PoolStats;
  limitBytes: number;
  poison: boolean;

  constructor(options: PoolOptions) {
    this.limitBytes = options.limitBytes;
    this.minLength = options.minLength ?? 1024;
    this.poison = options.poison ?? false;
    this.stats = this.zeroStats();
  }

  private zeroStats(): PoolStats {
    return { hits: 0, misses: 0, recycled: 0, evicted: 0, heldBytes: 0, peakHeldBytes: 0, limitBytes: this.limitBytes };
  }

  /** A float32 array of `length` for a kernel to overwrite: recycled (old values!) or fresh (zeros). */
  take(length: number): Float32Array {
    const bucket = length >= this.minLength ? this.free.get(length) : undefined;
    const values = bucket?.pop();
    if (!values) {
      this.stats.misses++;
      const fresh = new Float32Array(length);
      if (length >= this.minLength && this.limitBytes > 0) this.owned.add(fresh.buffer as ArrayBuffer);
      return fresh;
    }
    if (bucket!.length === 0) this.free.delete(length);
    this.lru.delete(values);
    this.stats.heldBytes -= values.byteLength;
    this.stats.hits++;
    if (this.poison) values.fill(NaN);
    return values;
  }

  /** Marks `values` (any typed array or view) as seen outside the kernels: its buffer is never recycled. */
  disown(values: unknown): void {
    if (ArrayBuffer.isView(values)) this.owned.delete(values.buffer as ArrayBuffer);
  }

  /** Re-marks a buffer from `take` as recyclable after the backend stored it (storing disowns). */
  own(values: Float32Array): void {
    if (values.length >= this.minLength && this.limitBytes > 0) this.owned.add(values.buffer as ArrayBuffer);
  }

  /** Whether `values` would be recycled if released now (tests). */
  owns(values: unknown): boolean {
    return values instanceof Float32Array && this.owned.has(values.buffer as ArrayBuffer);
  }

  /** Returns released data to the free list when it is a pool buffer nobody else can see. */
  recycle(values: unknown): void {
    if (!(values instanceof Float32Array) || !this.owned.has(values.buffer as ArrayBuffer)) return;
    if (values.byteOffset !== 0 || values.byteLength !== values.buffer.byteLength || values.byteLength > this.limitBytes) return;
    if (this.lru.has(values)) return; // released twice: keep one entry
    for (const listener of recycleListeners) listener(values);
    const bucket = this.free.get(values.length);
    if (bucket) bucket.push(values);
    else this.free.set(values.length, [values]);
    this.lru.add(values);
    this.stats.recycled++;
    this.stats.heldBytes += values.byteLength;
    while (this.stats.heldBytes > this.limitBytes) this.evictOldest();
    this.stats.peakHeldBytes = Math.max(this.stats.peakHeldBytes, this.stats.heldBytes);
  }

  private evictOldest(): void {
    const oldest = this.lru.values().next().value as Float32Array;
    this.lru.delete(oldest);
    const bucket = this.free.get(oldest.length)!;
    // buckets fill in release order, so the least recently released is first
    bucket.splice(bucket.indexOf(oldest), 1);
    if (bucket.length === 0) this.free.delete(oldest.length);
    this.owned.delete(oldest.buffer as ArrayBuffer);
    this.stats.heldBytes -= oldest.byteLength;
    this.stats.evicted++;
  }

  /** Drops every free buffer (they become ordinary garbage). */
  clear(): void {
    while (this.lru.size > 0) this.evictOldest();
  }

  /** Changes the cap, dropping the oldest free buffers past it. */
  setLimit(bytes: number): void {
    this.limitBytes = this.stats.limitBytes = bytes;
    while (this.stats.heldBytes > this.limitBytes) this.evictOldest();
  }

  /** A copy of the counters. */
  getStats(): PoolStats {
    return { ...this.stats };
  }

  /** Zeroes the counters (not the free list). */
  resetStats(): void {
    const held = this.stats.heldBytes;
    this.stats = { ...this.zeroStats(), heldBytes: held, peakHeldBytes: held };
  }
}
