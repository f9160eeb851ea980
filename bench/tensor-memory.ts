/**
 * Where a training step's memory goes, for bench:memory's children: live tensor data (each data
 * buffer once, however many tensors share it) sampled at every allocation and release, what is
 * live at its peak (kept for backprop, by the kernel that produced it, vs gradients and
 * temporaries), and V8's ArrayBuffer total (live + released-but-not-collected + pooled).
 * Backend-agnostic: it hooks tfjs' engine bookkeeping, not a backend.
 */
import { tf } from '../src/backend/tf.js';

type DataId = object;

/** What the engine does per data buffer (tfjs-core src/engine.ts internals). */
interface EngineHooks {
  state: { tensorInfo: { has(id: DataId): boolean }; activeTape: { kernelName: string; inputs?: Record<string, tf.Tensor>; outputs: tf.Tensor[]; saved?: tf.Tensor[] }[] | null };
  trackTensor(a: tf.Tensor, backend: unknown): void;
  removeDataId(id: DataId, backend: unknown): void;
}

/** The breakdown one child reports; sizes in MiB. */
export interface MemoryBreakdown {
  /** most live tensor data at once, and in which phase (forward, backward, update) */
  peak_live_mib: number;
  peak_phase: string;
  /** of the peak: tensors created before the step (parameters, input), kept for backprop, the rest (gradients, temporaries) */
  peak_preexisting_mib: number;
  peak_saved_mib: number;
  peak_other_mib: number;
  /** everything kept for backprop at the end of the forward pass, by producing kernel (top entries) */
  saved_mib: number;
  saved_by_kernel: Record<string, number>;
  /** most ArrayBuffer bytes V8 held (live + garbage + pooled), and most V8 heap (JS objects: tape, tensors) */
  peak_array_buffers_mib: number;
  peak_v8_heap_mib: number;
  /** bytes a backend's buffer pool held when live tensors peaked (native backend) */
  pool_at_peak_mib?: number;
}

const MiB = 2 ** 20;
const round = (b: number) => +(b / MiB).toFixed(1);

/**
 * Starts tracking; call `forwardDone` at the end of the forward pass (inside f) and `result`
 * after the step. `poolHeld`: bytes held by the backend's buffer pool, read at the peak.
 */
export function trackTensorMemory(poolHeld?: () => number): { setPhase(p: string): void; forwardDone(): void; result(): MemoryBreakdown } {
  const engine = tf.engine() as unknown as EngineHooks;
  const live = new Map<DataId, number>();
  let poolAtPeak = 0, snapshotBytes = 0, liveBytes = 0, peakBytes = 0, peakPhase = '', phase = 'forward', events = 0, peakArrayBuffers = 0, peakHeap = 0;
  let peakSnapshot = new Map<DataId, number>();
  const producer = new Map<DataId, string>();
  const saved = new Set<DataId>();
  const byKernel = new Map<string, number>();
  let savedBytes = 0;
  const sample = () => {
    if (++events % 16 !== 0) return;
    const m = process.memoryUsage();
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
    peakHeap = Math.max(peakHeap, m.heapTotal);
  };
  const track = engine.trackTensor.bind(engine);
  engine.trackTensor = (a, backend) => {
    if (!engine.state.tensorInfo.has(a.dataId)) {
      const bytes = a.dtype === 'string' ? 0 : a.size * tf.util.bytesPerElement(a.dtype);
      live.set(a.dataId, bytes);
      liveBytes += bytes;
      if (liveBytes > peakBytes) {
        // a copy per 4 MiB of new peak: cheap enough, and exact to within that
        if (liveBytes > snapshotBytes + 4 * MiB || phase !== peakPhase) {
          peakSnapshot = new Map(live);
          snapshotBytes = liveBytes;
        }
        peakBytes = liveBytes;
        peakPhase = phase;
        if (poolHeld) poolAtPeak = poolHeld();
      }
      sample();
    }
    track(a, backend);
  };
  const remove = engine.removeDataId.bind(engine);
  engine.removeDataId = (id, backend) => {
    const bytes = live.get(id);
    if (bytes !== undefined && engine.state.tensorInfo.has(id)) {
      live.delete(id);
      liveBytes -= bytes;
      sample();
    }
    remove(id, backend);
  };
  // what is alive now (parameters, input) predates the step
  const startBytes = tf.memory().numBytes;
  return {
    setPhase(p) {
      phase = p;
    },
    forwardDone() {
      for (const node of engine.state.activeTape ?? []) {
        // clones (tfjs saves through them) and reshapes pass their input's data on: not producers
        const inputIds = new Set(Object.values(node.inputs ?? {}).map((t) => t.dataId));
        const name = node.kernelName.replace(/__op$/, '');
        for (const o of node.outputs) if (!producer.has(o.dataId) && !inputIds.has(o.dataId)) producer.set(o.dataId, name);
        for (const t of node.saved ?? []) saved.add(t.dataId);
      }
      for (const id of saved) {
        const b = live.get(id);
        if (b === undefined) continue; // predates the step (parameters) or a data-less stand-in
        savedBytes += b;
        const k = producer.get(id) ?? 'input';
        byKernel.set(k, (byKernel.get(k) ?? 0) + b);
      }
      phase = 'backward';
    },
    result() {
      events = 15;
      sample();
      let peakSaved = 0, peakOther = 0;
      for (const [id, b] of peakSnapshot) {
        if (saved.has(id)) peakSaved += b;
        else peakOther += b;
      }
      const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8);
      return {
        peak_live_mib: round(peakBytes + startBytes),
        peak_phase: peakPhase,
        peak_preexisting_mib: round(startBytes),
        peak_saved_mib: round(peakSaved),
        peak_other_mib: round(peakOther),
        saved_mib: round(savedBytes),
        saved_by_kernel: Object.fromEntries(top.map(([k, b]) => [k, round(b)])),
        peak_array_buffers_mib: round(peakArrayBuffers),
        peak_v8_heap_mib: round(peakHeap),
        ...(poolHeld ? { pool_at_peak_mib: round(poolAtPeak) } : {}),
      };
    },
  };
}
