/**
 * Backprop that frees as it goes. tfjs-core's `engine.gradients` keeps, until the whole backward
 * pass ends, every tensor the forward pass saved for backprop AND the gradient of every
 * intermediate tensor (tape.ts never disposes a dy once its node ran). Measured on a ResNet-50
 * training step (224 px, batch 8): 1.9 GB saved + 2.7 GB gradients live at once, 4.5 GB of the
 * 5.1 GB peak RSS; PyTorch frees both per node. `installEagerRelease` replaces
 * `engine.gradients` with the same algorithm (same kernels in the same order, so bit-identical
 * results) that disposes a node's saved tensors and its outputs' gradients right after the node's
 * gradient ran. Only tensors the backward pass itself created and nobody kept are freed early,
 * exactly those tfjs frees at its end; nested gradients (a tape recording the backward pass,
 * e.g. tf.grad of tf.grad) run the stock code.
 *
 * Second, kernels whose stock gradient reads only the SHAPE of a saved input (Add, Sub, Mean,
 * Sum, Reshape, PadV2, Slice, Concat, AddN: broadcasting, reductions, reshapes) save a data-less
 * stand-in of that shape instead of the tensor, so its data is not kept alive until backprop
 * (ResNet-50: batch-norm's squared deviations, kept by Mean, and the inputs of every residual
 * Add). Browser-safe: pure tfjs.
 *
 * `filteredNodes` and the loop follow tfjs-core 4.22 src/engine.ts and src/tape.ts (Apache-2.0).
 */
import { tf } from './tf.js';

type Tensor = tf.Tensor;
type NamedTensors = Record<string, Tensor>;

/** What tfjs' tape records per kernel call (tfjs-core src/tape.ts TapeNode). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: NamedTensors;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: (Tensor | null)[]) => Record<string, () => Tensor>;
}

/** The engine internals `gradients` uses (tfjs-core src/engine.ts). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number; activeScope: { id: number } | null };
  gradients: Gradients;
  getTensorsForGradient(kernelName: string, inputs: NamedTensors, outputs: Tensor[]): Tensor[] | null;
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
  nextTensorId(): number;
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  startTape(): void;
  endTape(): void;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
}

type Gradients = (f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean) => { value: Tensor; grads: Tensor[] };

/** Tensor fields tfjs sets that decide whether a tidy may dispose it. */
type Tracked = Tensor & { kept?: boolean; scopeId?: number };

/** The tape nodes on a path from some x to y, inputs pruned to those that depend on an x (tfjs getFilteredNodesXToY). */
function filteredNodes(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      const inputs = Object.values(node.inputs);
      for (const t of inputs) toY.add(t.id);
      if (inputs.length > 0) nodesToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => {
      const inputs: NamedTensors = {};
      for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
      return { ...node, inputs };
    });
}

/**
 * tfjs' backpropagateGradients, plus: after a node's gradient ran, dispose its saved tensors and
 * its outputs' gradients when no other gradient entry holds them and they are `releasable`.
 */
function backprop(grads: Map<number, Tensor>, tape: TapeNode[], keepIds: Set<number>, releasable: (t: Tensor) => boolean,
  tidy: (f: () => Tensor) => Tensor): void {
  const refs = new Map<Tensor, number>();
  for (const t of grads.values()) refs.set(t, (refs.get(t) ?? 0) + 1);
  const set = (id: number, t: Tensor) => {
    grads.set(id, t);
    refs.set(t, (refs.get(t) ?? 0) + 1);
  };
  /** Drops one gradient-map reference to `t`; true when none is left. */
  const unref = (t: Tensor) => {
    const n = (refs.get(t) ?? 1) - 1;
    if (n > 0) refs.set(t, n);
    else refs.delete(t);
    return n <= 0;
  };
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
    if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const inputGradients = node.gradient(dys);
    for (const inputName in node.inputs) {
      if (!(inputName in inputGradients)) {
        throw new Error(`Cannot backprop through input ${inputName}. Available gradients found: ${Object.keys(inputGradients)}.`);
      }
      const dx = tidy(() => inputGradients[inputName]());
      if (dx.dtype !== 'float32') {
        throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${inputName} must have 'float32' dtype, but has '${dx.dtype}'`);
      }
      const x = node.inputs[inputName];
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${inputName}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
      }
      const current = grads.get(x.id);
      if (current === undefined) {
        set(x.id, dx);
      } else {
        set(x.id, tf.add(current, dx));
        if (unref(current)) current.dispose(); // as tfjs does
        if (!refs.has(dx) && releasable(dx)) dx.dispose();
      }
    }
    for (const o of node.outputs) {
      const dy = grads.get(o.id);
      if (dy === undefined || keepIds.has(o.id)) continue;
      grads.delete(o.id);
      if (unref(dy) && releasable(dy)) dy.dispose();
    }
    for (const t of node.saved ?? []) if (!refs.has(t)) t.dispose();
  }
}

let stock: Gradients | undefined;
let stockSaving: Pick<EngineInternals, 'getTensorsForGradient' | 'saveTensorsForBackwardMode'> | undefined;

/** Kernels whose stock gradient (tfjs-core 4.22 src/gradients/*_grad.ts) uses only `.shape`/`.rank`/`.dtype` of its saved tensors. */
const SHAPE_ONLY_GRADIENTS = ['Add', 'Sub', 'Mean', 'Sum', 'Reshape', 'PadV2', 'Slice', 'Concat', 'AddN'];

/** Stand-ins: tensors with a shape and no data (their dataId is unknown to the engine, so disposing one is a no-op). */
const standIns = new WeakSet<Tensor>();

/**
 * Makes kernels with shape-only gradients save stand-ins, as long as their gradient is still
 * the stock one (a re-registered gradient may read values: it gets the real tensors).
 */
function installShapeOnlySaving(engine: EngineInternals): void {
  const stockConfigs = new Map(SHAPE_ONLY_GRADIENTS.map((k) => [k, tf.getGradient(k)]));
  const getTensors = engine.getTensorsForGradient.bind(engine);
  const save = engine.saveTensorsForBackwardMode.bind(engine);
  stockSaving = { getTensorsForGradient: engine.getTensorsForGradient, saveTensorsForBackwardMode: engine.saveTensorsForBackwardMode };
  engine.getTensorsForGradient = (kernelName, inputs, outputs) => {
    const tensors = getTensors(kernelName, inputs, outputs);
    const config = stockConfigs.get(kernelName);
    if (!tensors || config === undefined || tf.getGradient(kernelName) !== config) return tensors;
    return tensors.map((t) => {
      const standIn = new tf.Tensor(t.shape, t.dtype, {}, engine.nextTensorId());
      standIns.add(standIn);
      return standIn;
    });
  };
  engine.saveTensorsForBackwardMode = (tensors) => {
    const real = tensors.filter((t) => !standIns.has(t));
    if (real.length === tensors.length) return save(tensors);
    const saved = save(real);
    return tensors.map((t) => (standIns.has(t) ? t : saved.shift()!));
  };
}

/**
 * Makes every later gradient computation (tf.grad(s), variableGrads, optimizer.minimize,
 * model.fit) free saved tensors and gradients per node instead of at the end, and shape-only
 * gradients keep no data. Idempotent.
 */
export function installEagerRelease(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (stock) return;
  stock = engine.gradients.bind(engine);
  installShapeOnlySaving(engine);
  engine.gradients = function eagerGradients(f, xs, dy, allowNoGradients = false) {
    // inside another gradient's tape the backward pass is recorded and must keep everything
    if (engine.state.gradientDepth > 0) return stock!(f, xs, dy, allowNoGradients);
    if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
    if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
    const tape = engine.state.activeTape ?? [];
    const filtered = filteredNodes(tape, xs, y);
    if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
      throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
    }
    return engine.tidy('backward', () => {
      const scopeId = engine.state.activeScope?.id;
      // exactly the tensors this tidy would dispose at its end anyway
      const releasable = (t: Tensor) => !(t as Tracked).kept && (t as Tracked).scopeId === scopeId && !t.isDisposed;
      const grads = new Map<number, Tensor>([[y.id, dy == null ? tf.ones(y.shape) : dy]]);
      const keepIds = new Set(xs.map((x) => x.id));
      backprop(grads, filtered, keepIds, releasable, (g) => engine.tidy(g));
      const result = xs.map((x) => grads.get(x.id)) as Tensor[];
      const returned = new Set<Tensor>(result);
      for (const node of tape) for (const t of node.saved ?? []) if (!returned.has(t)) t.dispose();
      engine.state.activeTape = null;
      return { value: y, grads: result };
    });
  };
}

/** Restores tfjs' own `engine.gradients` (tests compare both). */
export function uninstallEagerRelease(): void {
  if (!stock) return;
  const engine = tf.engine() as unknown as EngineInternals;
  engine.gradients = stock;
  stock = undefined;
  if (stockSaving) Object.assign(engine, stockSaving);
  stockSaving = undefined;
}
